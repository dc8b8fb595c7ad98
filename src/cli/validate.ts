import { checkPlaybook } from "../api.js";
import { RunbookError, RunbookErrors } from "../engine/errors.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { type CommonOptions, common, playbookFile } from "./common.js";
import { printError } from "./errors.js";

/** Every static check on every file; all problems are printed, then exit 2 if any. */
export async function validateCommand(files: string[], opts: CommonOptions): Promise<number> {
  const c = common(opts);
  const errors: RunbookError[] = [];
  for (const f of files) {
    try {
      await checkPlaybook(loadPlaybook(playbookFile(f), { presetPaths: c.presetPaths }), c);
      process.stdout.write(`ok ${f}\n`);
    } catch (e) {
      if (e instanceof RunbookErrors) errors.push(...e.errors);
      else if (e instanceof RunbookError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length) {
    printError(new RunbookErrors(errors));
    return 2;
  }
  return 0;
}
