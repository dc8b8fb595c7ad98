import { z } from "zod";
import { ActionFailure, defineAction } from "./types.js";

const failArgs = z.preprocess(
  (v) => (typeof v === "string" ? { msg: v } : v),
  z.object({ msg: z.string().describe("Why the run stops; templated") }).strict(),
);

export const failAction = defineAction({
  name: "fail",
  handlesUnknown: true,
  description: "Fail the step with a message (use with `when`)",
  schema: failArgs,
  readOnly: true,
  async run(args) {
    throw new ActionFailure(args.msg);
  },
  async plan(args, ctx) {
    // The message is what a no_log fail hides: often it quotes the value that was wrong.
    return { summary: ctx.noLog ? "fail: <message hidden: no_log>" : `fail: ${args.msg}`, willChange: false };
  },
});
