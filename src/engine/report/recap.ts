import type { RunEvent, Stats } from "../events.js";
import { formatDuration, stepLabel } from "./format.js";
import { paintStatus, type Style } from "./style.js";
import type { EndedStep } from "./tree.js";

type RunEnd = Extract<RunEvent, { kind: "run-end" }>;

const ORDER: (keyof Stats)[] = ["ok", "changed", "skipped", "failed", "ignored", "rescued"];

function verdict(e: RunEnd): string {
  if (e.status === "ok") return "done";
  return e.status;
}

/** `recap   failed ok=3 changed=2 skipped=1 failed=1 ignored=1 rescued=1 (12.3s)`: one line for logs. */
export function plainRecap(e: RunEnd): string {
  const counts = ORDER.map((k) => `${k}=${e.stats[k]}`).join(" ");
  return `recap   ${verdict(e)} ${counts} (${formatDuration(e.durationMs)})`;
}

/** The recap under the tty tree: counts per status, total time, the slowest steps. */
export function ttyRecap(e: RunEnd, slowest: EndedStep[], style: Style): string[] {
  const counts = ORDER.filter((k) => e.stats[k] > 0 || k === "ok" || k === "changed" || k === "failed")
    .map((k) => (e.stats[k] > 0 ? paintStatus(style, k, `${k} ${e.stats[k]}`) : style.dim(`${k} 0`)))
    .join(style.dim(" · "));
  const head =
    e.status === "ok"
      ? style.green("Done")
      : style.red(e.status === "failed" ? "Failed" : e.status === "unreachable" ? "Unreachable" : "Interrupted");
  const lines = [`${style.bold(head)} in ${formatDuration(e.durationMs)}  ${counts}`];
  if (e.status === "interrupted" && e.stoppedAt)
    lines.push(
      `  stopped ${e.stoppedAfter ? "after" : "at"} ${stepLabel(e.stoppedAt)}${e.stoppedAfter ? " (it finished)" : ""}`,
    );
  if (e.error) lines.push(`  ${style.red(e.error)}`);
  if (slowest.length > 0) {
    const width = Math.max(...slowest.map((s) => formatDuration(s.durationMs).length));
    lines.push(style.dim("  slowest:"));
    for (const s of slowest) lines.push(`    ${formatDuration(s.durationMs).padStart(width)}  ${stepLabel(s.step)}`);
  }
  return lines;
}
