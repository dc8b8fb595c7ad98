import { type RunbookError, RunbookErrors } from "./engine/errors.js";
import type { Playbook } from "./engine/load/model.js";
import { type LoadOptions, loadPlaybook } from "./engine/load/playbook.js";
import { Runner, type RunSummary } from "./engine/run/runner.js";
import { checkTagNames } from "./engine/run/tags.js";
import type { PlanEntry, RunOptions } from "./engine/run/types.js";
import { makeUnknown } from "./engine/unknown.js";

/**
 * Check a loaded playbook without running anything: every template, expression and argument that
 * can be known before the run is checked; all problems are thrown together (RunbookErrors).
 */
export async function checkPlaybook(pb: Playbook, options: RunOptions = {}): Promise<void> {
  const errors: RunbookError[] = [];
  // Against every play's tags at once: a tag of the second play is not unknown to the first.
  checkTagNames(pb, options.tags ?? [], options.skipTags ?? []);
  for (const play of pb.plays ?? [pb]) {
    // Without a host to check for, the magic variables are known only at run time (not undefined).
    const magicVars = options.magicVars ?? (play.hosts !== undefined ? unknownMagicVars() : undefined);
    try {
      await new Runner(play, { ...options, magicVars, mode: "check", onEvent: undefined, tagNamesChecked: true }).run();
    } catch (e) {
      if (!(e instanceof RunbookErrors)) throw e;
      errors.push(...e.errors);
    }
  }
  if (errors.length) throw new RunbookErrors(errors);
}

function unknownMagicVars(): Record<string, unknown> {
  const names = ["inventory_hostname", "inventory_hostname_short", "group_names", "groups", "hostvars"];
  return Object.fromEntries(names.map((n) => [n, makeUnknown({ path: n, from: "the inventory" })]));
}

/** Load, check, then run a playbook. Throws RunbookErrors (exit 2) when the input is invalid. */
export async function runPlaybook(
  file: string | Playbook,
  options: RunOptions & LoadOptions = {},
): Promise<RunSummary> {
  const pb = typeof file === "string" ? loadPlaybook(file, options) : file;
  if (!options.skipCheck) await checkPlaybook(pb, { ...options, onPlan: undefined });
  return new Runner(pb, options).run();
}

/** The dry run as data: one entry per step and loop item, in order. */
export async function planPlaybook(
  file: string | Playbook,
  options: RunOptions & LoadOptions = {},
): Promise<{ playbook: Playbook; entries: PlanEntry[]; summary: RunSummary }> {
  const pb = typeof file === "string" ? loadPlaybook(file, options) : file;
  const entries: PlanEntry[] = [];
  // One pass: a dry run that collects every user error as the check pass would (a plan of 10,000
  // steps is not walked twice). Only read-only probes run before an error is reported.
  const summary = await new Runner(pb, {
    ...options,
    mode: "dry-run",
    collectErrors: true,
    onPlan: (e) => entries.push(e),
  }).run();
  return { playbook: pb, entries, summary };
}

export { loadPlaybook, RunbookErrors };
