import { z } from "zod";
import { registerSource } from "../source.js";
import type { ActionContext } from "./types.js";
import { defineAction } from "./types.js";
import { modeSchema } from "./util/mode.js";
import { readSource } from "./util/source.js";
import { applyWrite, planWrite, type WriteRequest } from "./util/write.js";

const templateSchema = z
  .strictObject({
    src: z
      .string()
      .min(1)
      .describe(
        "Handlebars file: looked up beside the playbook, in its templates/ folder, then the bundled templates/",
      ),
    dest: z.string().min(1).describe("path of the rendered file"),
    mode: modeSchema.optional().describe('permission bits, e.g. "0644"; an existing file keeps its mode when omitted'),
    vars: z.record(z.string(), z.unknown()).default({}).describe("extra variables for this template only"),
    backup: z.boolean().default(false).describe("keep the old content as dest.<timestamp>~ when it changes"),
    force: z
      .boolean()
      .default(true)
      .describe("false: leave the content of an existing dest alone (mode is still applied)"),
  })
  .describe("Render a Handlebars template to a file atomically");

export type TemplateArgs = z.output<typeof templateSchema>;

async function request(args: TemplateArgs, ctx: ActionContext): Promise<WriteRequest> {
  const srcPath = await ctx.resolveTemplate(args.src);
  const text = (await readSource(ctx, srcPath, "template")).toString("utf8");
  // Errors inside the template file show an excerpt of it.
  registerSource(srcPath, text);
  const content = Buffer.from(ctx.render(text, args.vars, srcPath), "utf8");
  return { dest: args.dest, content, mode: args.mode, backup: args.backup, force: args.force };
}

export const templateAction = defineAction<TemplateArgs>({
  name: "template",
  description: "Render a Handlebars template to dest atomically; changed only if the bytes or the mode differ",
  schema: templateSchema,
  async plan(args, ctx) {
    return planWrite(ctx, await request(args, ctx));
  },
  // A typo in a template file is found by validate, not when the step is reached.
  async check(args, ctx) {
    await request(args, ctx);
  },
  async run(args, ctx) {
    const result = await applyWrite(ctx, await request(args, ctx));
    return { ...result, src: args.src };
  },
});
