import { relative } from "node:path";
import type { RunEvent } from "../../src/engine/events.js";
import { formatLocation } from "../../src/engine/source.js";

/** Replace the run's volatile bits (paths, durations) so a transcript is the same on every machine. */
export function normalize(text: string, dirs: Record<string, string>): string {
  let out = text;
  for (const [label, dir] of Object.entries(dirs)) out = out.split(dir).join(label);
  return out.replace(/"duration_ms":\s*\d+/g, '"duration_ms":N').replace(/duration_ms=\d+/g, "duration_ms=N");
}

function locOf(loc: { file: string; line: number; col: number } | undefined, root: string): string {
  return loc ? `${relative(root, loc.file)}:${loc.line}:${loc.col}` : "";
}

/** One deterministic line (or a few) per event that matters: no durations, no ids of timers. */
export function transcriptLine(e: RunEvent, root: string): string | undefined {
  switch (e.kind) {
    case "step-end": {
      const indent = "  ".repeat(e.step.depth);
      const lines = [`${indent}${e.status} ${e.step.name}${e.reason ? ` (${e.reason})` : ""}`];
      const isPrint = e.step.action === "print" || e.step.action === "debug";
      if (isPrint && e.status !== "skipped" && !("results" in e.result))
        lines.push(`${indent}  | ${String(e.result.msg).split("\n").join(`\n${indent}  | `)}`);
      else if (e.status === "failed" || e.status === "ignored") lines.push(`${indent}  ! ${String(e.result.msg)}`);
      if (e.step.noLog) lines.push(`${indent}  # ${JSON.stringify(e.result)}`);
      return lines.join("\n");
    }
    case "item-end": {
      const shown =
        (e.step.action === "print" || e.step.action === "debug") && e.status !== "skipped" ? ` | ${e.result.msg}` : "";
      return `${"  ".repeat(e.step.depth)}  - [${e.index}] ${e.status} ${e.label}${e.reason ? ` (${e.reason})` : ""}${shown}${
        e.step.noLog ? ` # ${JSON.stringify(e.result)}` : ""
      }`;
    }
    case "retry":
      return `${"  ".repeat(e.step.depth)}retry ${e.step.name}: attempt ${e.attempt}/${e.retries + 1} (${e.msg})`;
    case "handler-notified":
      return `${"  ".repeat(e.step.depth)}  notify ${e.handler}`;
    case "handlers-flush":
      return `handlers: ${e.handlers.join(", ")}`;
    case "warning":
      return `warning: ${e.message}`;
    case "run-end": {
      const s = e.stats;
      const lines = [
        `run ${e.status}: ok=${s.ok} changed=${s.changed} skipped=${s.skipped} failed=${s.failed} ignored=${s.ignored} rescued=${s.rescued}`,
      ];
      if (e.stoppedAt) lines.push(`stopped at ${e.stoppedAt.name} (${locOf(e.stoppedAt.location, root)})`);
      if (e.error) lines.push(`error: ${e.error}`);
      return lines.join("\n");
    }
    default:
      return undefined;
  }
}

export { formatLocation };
