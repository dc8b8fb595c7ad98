import { z } from "zod";

/**
 * Keys handled by the engine itself rather than an action's run(): they change what runs or the
 * variables, so they live in the walker. Their schemas validate and document them.
 */
export const DIRECTIVES = {
  include: {
    description: "Run the steps of another task file here (expanded in place, visible in the plan)",
    schema: z.union([
      z.string().describe("Path of a task file, relative to this file"),
      z
        .object({
          file: z.string().describe("Path of a task file, relative to this file"),
          vars: z.record(z.string(), z.unknown()).optional().describe("Variables for the included steps"),
        })
        .strict(),
    ]),
  },
  include_vars: {
    description: "Load variables from a YAML file (relative to this file)",
    schema: z.union([
      z.string().describe("Path of a YAML file of variables"),
      z.object({ file: z.string().describe("Path of a YAML file of variables") }).strict(),
    ]),
  },
  set_vars: {
    description: "Set variables for the rest of the run; values are templated and keep their types",
    schema: z.record(z.string().regex(/^[A-Za-z_]\w*$/, "must be a variable name"), z.unknown()),
  },
  preset: {
    description: "Run a preset (a parameterised bundle of steps); its parameters go in the sibling `with:`",
    schema: z.string().min(1).describe("Preset name, relative path or npm package path"),
  },
  flush_handlers: {
    description: "Run the handlers notified so far, now",
    schema: z.literal(true).describe("Always true"),
  },
} as const;

export const DIRECTIVE_ALIASES: Record<string, string> = { set_fact: "set_vars" };

export type DirectiveName = keyof typeof DIRECTIVES;
