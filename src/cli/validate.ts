import { checkPlaybook } from "../api.js";
import { RunbookError, RunbookErrors } from "../engine/errors.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { SecretMasker } from "../engine/secrets.js";
import { type CommonOptions, common, playbookFile } from "./common.js";
import { printError } from "./errors.js";

/** Every static check on every file; all problems are printed, then exit 2 if any. */
export async function validateCommand(files: string[], opts: CommonOptions): Promise<number> {
  const c = common(opts);
  // Errors quote values (an excerpt, a condition's string): the check teaches the masker as apply's does.
  const masker = new SecretMasker(c.extraVars);
  const errors: RunbookError[] = [];
  for (const f of files) {
    try {
      await checkPlaybook(loadPlaybook(playbookFile(f), { presetPaths: c.presetPaths }), { ...c, masker });
      process.stdout.write(`ok ${f}\n`);
    } catch (e) {
      if (e instanceof RunbookErrors) errors.push(...e.errors);
      else if (e instanceof RunbookError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length) {
    printError(new RunbookErrors(errors), (t) => masker.mask(t));
    return 2;
  }
  return 0;
}
