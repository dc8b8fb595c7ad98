import type { StepStatus } from "../events.js";

export type Result = Record<string, unknown> & { changed: boolean; failed: boolean; skipped: boolean; msg: string };

export function skippedResult(reason: string): Result {
  return { changed: false, failed: false, skipped: true, msg: "", skip_reason: reason };
}

export function statusOf(r: Result, ignored: boolean): StepStatus {
  if (r.skipped) return "skipped";
  if (r.failed) return ignored ? "ignored" : "failed";
  return r.changed ? "changed" : "ok";
}

/** A looped step registers `{changed, failed, skipped, results}`: any changed/failed, skipped only if all were. */
export function loopResult(results: Result[], durationMs: number): Result {
  return {
    changed: results.some((r) => r.changed),
    failed: results.some((r) => r.failed),
    skipped: results.length > 0 && results.every((r) => r.skipped),
    msg: results.some((r) => r.failed) ? "one or more items failed" : "",
    duration_ms: durationMs,
    results,
  };
}

const REDACTED = "<redacted: no_log>";

/** What events and errors may show of a `no_log` step's result. */
export function redactResult(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["changed", "failed", "skipped", "duration_ms", "attempts", "rc"]) if (k in r) out[k] = r[k];
  out.msg = REDACTED;
  out.censored = "the output has been hidden because `no_log: true` was set for this step";
  return out;
}

export { REDACTED };
