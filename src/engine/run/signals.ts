import type { StepRef } from "../events.js";
import type { Result } from "./result.js";

/** Thrown up the step tree when a step fails (and is not ignored): blocks catch it for `rescue`. */
export class StepFailed extends Error {
  constructor(
    readonly step: StepRef,
    readonly result: Result,
  ) {
    super(result.msg || "step failed");
    this.name = "StepFailed";
  }
}

/**
 * The run was interrupted (SIGINT): unwind without running rescue or handlers. `finished`: the interrupt
 * came while `step` ran, but the step completed anyway (a template write already renamed into place) and its
 * result was reported; the run stopped before the next step.
 */
export class Interrupted extends Error {
  constructor(
    readonly step: StepRef | undefined,
    readonly finished = false,
  ) {
    super("interrupted");
    this.name = "Interrupted";
  }
}

/** Sleep that an abort cuts short. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
