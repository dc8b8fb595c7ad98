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
  async plan(args) {
    return { summary: `fail: ${args.msg}`, willChange: false };
  },
});
