import { RunbookError, RunbookErrors } from "../engine/errors.js";
import type { RunEvent } from "../engine/events.js";
import { formatLocation, renderExcerpt } from "../engine/source.js";

/** Plain error text: `file:line:col: error: message`, an excerpt with a caret, and a hint. */
export function formatUserError(err: unknown): string {
  if (err instanceof RunbookErrors) {
    return `${err.errors.map(formatUserError).join("\n\n")}\n\n${err.errors.length} error${err.errors.length === 1 ? "" : "s"}`;
  }
  if (err instanceof RunbookError) {
    const lines = [`${err.location ? `${formatLocation(err.location)}: ` : ""}error: ${err.message}`];
    if (err.location) {
      const ex = renderExcerpt(err.location);
      if (ex) lines.push(ex);
    }
    lines.push(...err.details.map((d) => `  ${d}`));
    if (err.hint) lines.push(`hint: ${err.hint}`);
    return lines.join("\n");
  }
  const e = err as Error;
  return `runbook has a bug: ${e?.message ?? String(err)}\nPlease report it with this output.\n${e?.stack ?? ""}`;
}

/** One line per step, for logs. */
export function plainLine(e: RunEvent): string | undefined {
  switch (e.kind) {
    case "step-end": {
      const loc = e.step.location ? ` (${formatLocation(e.step.location)})` : "";
      const lines = [`${e.status.padEnd(8)}[${e.step.id}] ${e.step.name}${e.reason ? ` (${e.reason})` : ""}`];
      if (e.step.action === "print" || e.step.action === "debug") lines.push(`  ${String(e.result.msg)}`);
      if (e.status === "failed" || e.status === "ignored") {
        lines.push(`  at ${loc.slice(2, -1)}`);
        if (e.result.cmd) lines.push(`  command: ${String(e.result.cmd)}`);
        if (e.result.rc !== undefined) lines.push(`  rc: ${String(e.result.rc)}`);
        if (e.result.msg) lines.push(`  msg: ${String(e.result.msg)}`);
        const err = String(e.result.stderr ?? "")
          .split("\n")
          .slice(-20)
          .join("\n");
        if (err.trim()) lines.push(`  stderr:\n${err.replace(/^/gm, "    ")}`);
      }
      return lines.join("\n");
    }
    case "retry":
      return `retry   [${e.step.id}] ${e.step.name}: attempt ${e.attempt} of ${e.retries + 1} failed (${e.msg}); retrying in ${e.delayMs}ms`;
    case "item-end":
      return `  ${e.status.padEnd(8)}${e.label}`;
    case "run-end": {
      const s = e.stats;
      return `\n${e.status}: ok=${s.ok} changed=${s.changed} skipped=${s.skipped} failed=${s.failed} ignored=${s.ignored} rescued=${s.rescued} in ${Math.round(e.durationMs)}ms${e.stoppedAt ? `\nstopped at [${e.stoppedAt.id}] ${e.stoppedAt.name}${e.stoppedAt.location ? ` (${formatLocation(e.stoppedAt.location)})` : ""}` : ""}${e.error ? `\n${e.error}` : ""}`;
    }
    default:
      return undefined;
  }
}
