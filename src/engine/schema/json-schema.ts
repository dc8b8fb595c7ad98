import { z } from "zod";
import { DIRECTIVE_ALIASES, DIRECTIVES } from "../actions/directives.js";
import { ACTION_LIST, RESERVED_ACTIONS } from "../actions/index.js";
import { playKeys } from "../load/playbook.js";
import { presetFileSchema } from "../load/preset.js";
import { stepKeySchemas } from "./keys.js";

type Json = Record<string, unknown>;

const STEP_REF = { $ref: "#/$defs/step" };
const STEPS = { type: "array", items: STEP_REF };

function js(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  delete out.$schema;
  return out;
}

// Shorthand forms (`shell: "echo hi"`) are accepted by a preprocess step that JSON Schema cannot show.
const SHORTHAND: Record<string, Json> = {
  shell: { type: "string", description: "The command line" },
  command: { anyOf: [{ type: "string" }, { type: "array", items: { type: ["string", "number", "boolean"] } }] },
  print: { type: ["string", "number", "boolean"] },
  fail: { type: "string" },
};

function actionSchema(name: string, schema: z.ZodType, description: string): Json {
  const base = js(schema);
  const short = SHORTHAND[name];
  return short ? { description, anyOf: [short, base] } : { description, ...base };
}

/** The JSON Schema of a step: common keys plus exactly one action key (or a block). */
function stepSchema(): Json {
  const properties: Json = {};
  for (const [k, s] of Object.entries(stepKeySchemas)) properties[k] = js(s);
  // `block` goes last: an editor reports a step with no action as the first branch's missing key, which
  // should read as an action (`shell`), not `block`.
  const actionNames: string[] = [];
  for (const a of ACTION_LIST) {
    for (const key of [a.name, ...(a.aliases ?? [])]) {
      properties[key] = actionSchema(a.name, a.schema, a.description);
      actionNames.push(key);
    }
  }
  for (const [k, d] of Object.entries(DIRECTIVES)) {
    properties[k] = { description: d.description, ...js(d.schema) };
    actionNames.push(k);
  }
  for (const [alias, target] of Object.entries(DIRECTIVE_ALIASES)) {
    properties[alias] = properties[target];
    actionNames.push(alias);
  }
  for (const k of Object.keys(RESERVED_ACTIONS)) {
    properties[k] = { description: `reserved: ${RESERVED_ACTIONS[k]}` };
    actionNames.push(k);
  }
  actionNames.push("block");
  properties.block = {
    ...STEPS,
    description: "Steps that share when/tags/vars/become/environment, with rescue and always",
  };
  properties.rescue = { ...STEPS, description: "Steps run if a step in the block fails" };
  properties.always = { ...STEPS, description: "Steps run after the block whatever happened" };
  return {
    type: "object",
    description: `A step: exactly one action (${ACTION_LIST.map((a) => a.name).join(", ")}; or preset, include_tasks, block, …) plus any of the common keys`,
    properties,
    additionalProperties: false,
    oneOf: actionNames.map((k) => ({ required: [k] })),
  };
}

/** JSON Schemas for playbooks and presets, for YAML editors (yaml-language-server) and CI. */
export function jsonSchemas(): { playbook: Json; preset: Json } {
  const defs = { step: stepSchema() };
  const document = js(
    z
      .object({
        name: z.string().optional(),
        description: z.string().optional(),
        vars: z.record(z.string(), z.unknown()).optional(),
        vars_files: z.array(z.string()).optional(),
        ...playKeys,
      })
      .strict(),
  ) as { properties: Json };
  const playbook = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "runbook playbook",
    description: "A list of steps, a mapping with tasks and handlers, or a list of plays (`- hosts: ...`)",
    $defs: defs,
    oneOf: [
      { ...STEPS, description: "List form: the steps" },
      {
        type: "object",
        description: "Document form",
        additionalProperties: false,
        required: ["tasks"],
        properties: {
          ...document.properties,
          tasks: { ...STEPS, description: "The steps" },
          handlers: { ...STEPS, description: "Steps run at the end when notified" },
        },
      },
      {
        type: "array",
        description: "Plays: each runs its tasks on the inventory hosts its `hosts:` pattern selects (`-i`)",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["hosts", "tasks"],
          properties: {
            ...document.properties,
            tasks: { ...STEPS, description: "The steps" },
            handlers: { ...STEPS, description: "Steps run at the end of the play when notified" },
          },
        },
      },
    ],
  };
  const presetJs = js(presetFileSchema) as { properties: Json };
  const preset = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "runbook preset (preset.yml)",
    $defs: defs,
    ...presetJs,
    properties: { ...presetJs.properties, tasks: { ...STEPS, description: "The steps; parameters are under params." } },
  };
  return { playbook, preset };
}
