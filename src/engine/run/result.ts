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
