import { checkPlaybook } from "../api.js";
import { RunbookError, RunbookErrors } from "../engine/errors.js";
import { type Inventory, loadInventory } from "../engine/inventory/inventory.js";
import { selectHosts } from "../engine/inventory/pattern.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { SecretMasker } from "../engine/secrets.js";
import { type CommonOptions, common, playbookFile } from "./common.js";
import { printError } from "./errors.js";

/** Every static check on every file; all problems are printed, then exit 2 if any. */
export async function validateCommand(
  files: string[],
  opts: CommonOptions & { inventory?: string[]; limit?: string },
): Promise<number> {
  const c = common(opts);
  // Errors quote values (an excerpt, a condition's string): the check teaches the masker as apply's does.
  const masker = new SecretMasker(c.extraVars);
  const errors: RunbookError[] = [];
  let inventory: Inventory | undefined;
  try {
    if (opts.inventory?.length) inventory = loadInventory(opts.inventory);
  } catch (e) {
    if (!(e instanceof RunbookError)) throw e;
    errors.push(e);
  }
  for (const f of files) {
    try {
      const pb = loadPlaybook(playbookFile(f), { presetPaths: c.presetPaths, extraVars: c.extraVars });
      // Each play's pattern must read against the inventory (an empty pattern is an error there).
      if (inventory)
        for (const p of pb.plays ?? [pb]) if (p.hosts !== undefined) selectHosts(inventory, p.hosts, opts.limit);
      await checkPlaybook(pb, { ...c, masker });
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
