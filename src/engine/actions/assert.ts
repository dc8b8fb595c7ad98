import { z } from "zod";
import { evaluateCondition } from "../expr.js";
import { locAtPath } from "../load/yaml.js";
import { conditionSchema } from "../schema/keys.js";
import { ActionFailure, defineAction } from "./types.js";

const assertArgs = z
  .object({
    that: conditionSchema.describe("CEL expression(s) that must all hold"),
    fail_msg: z.string().optional().describe("Message when an expression does not hold; templated"),
    success_msg: z.string().optional().describe("Message when all hold; templated"),
    quiet: z.boolean().optional().describe("Do not print the success message"),
  })
  .strict();

export const assertAction = defineAction({
  name: "assert",
  handlesUnknown: true,
  description: "Check that expressions hold; fail the step with fail_msg if one does not",
  schema: assertArgs,
  rawFields: ["that"],
  readOnly: true,
  async run(args, ctx) {
    const list = Array.isArray(args.that) ? args.that : [args.that];
    for (const [i, expr] of list.entries()) {
      const origin = Array.isArray(args.that) ? locAtPath(args.that, [i]) : ctx.step.location;
      const c = evaluateCondition(expr, ctx.vars, origin);
      if (!c.known)
        return { changed: false, msg: `decided at run time (waits for ${c.waitsFor.path})`, pending: c.waitsFor };
      if (!c.value) {
        throw new ActionFailure(args.fail_msg ?? `assertion failed: ${String(expr)}`, { assertion: String(expr) });
      }
    }
    return { changed: false, msg: args.success_msg ?? "all assertions passed" };
  },
  async plan(args) {
    const list = Array.isArray(args.that) ? args.that : [args.that];
    return { summary: `assert: ${list.map(String).join(" && ")}`, willChange: false };
  },
});
