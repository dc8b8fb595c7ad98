import { createInterface } from "node:readline/promises";
import type { TextStyle } from "../engine/plan/text.js";
import type { PlanEntry } from "../engine/run/types.js";

const MAX_LISTED = 12;

/** One screen before a run in a terminal: how many steps will run, be skipped or wait for the run. */
export function preRunSummary(entries: PlanEntry[], st: TextStyle): string {
  const steps = new Map<string, PlanEntry>();
  // Loop items share their step: count the step once, by its first item's decision.
  for (const e of entries) if (!steps.has(e.step.id)) steps.set(e.step.id, e);
  const all = [...steps.values()];
  const run = all.filter((e) => e.decision === "run");
  const skip = all.filter((e) => e.decision === "skip");
  const later = all.filter((e) => e.decision === "runtime");
  const lines = [
    st.bold(
      `Plan: ${run.length} step${run.length === 1 ? "" : "s"} to run, ${skip.length} skipped, ${later.length} decided at run time`,
    ),
  ];
  for (const e of run.slice(0, MAX_LISTED)) lines.push(`  ${st.dim("•")} ${e.step.name}`);
  if (run.length > MAX_LISTED)
    lines.push(st.dim(`  … and ${run.length - MAX_LISTED} more (runbook plan shows them all)`));
  return `${lines.join("\n")}\n\n`;
}

/** Ask y/N on the terminal. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
