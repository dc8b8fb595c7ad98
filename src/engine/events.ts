import type { SourceLocation } from "./source.js";

/** What a step, a loop item or a handler ended as. */
export type StepStatus = "ok" | "changed" | "skipped" | "failed" | "ignored" | "rescued";

/** How a step came to be where it is: the includes and presets it was expanded from, outermost first. */
export interface ChainLink {
  kind: "include" | "preset" | "block" | "handler";
  name: string;
  location?: SourceLocation | undefined;
}

export interface StepRef {
  /** Unique within a run, stable across runs of the same inputs (e.g. "3.1.2"). */
  id: string;
  name: string;
  action: string;
  location?: SourceLocation | undefined;
  chain: ChainLink[];
  depth: number;
  /** The step is `no_log`: reporters redact its results and never print its output. */
  noLog?: boolean | undefined;
  /** The inventory host it ran on (runs with `-i` only). */
  host?: string | undefined;
}

export interface Stats {
  ok: number;
  changed: number;
  skipped: number;
  failed: number;
  ignored: number;
  rescued: number;
}

/**
 * The engine's only output. Reporters (tty, plain, json) render these; the engine never writes to stdout.
 * Bump EVENTS_VERSION when a field changes meaning or disappears.
 */
export const EVENTS_VERSION = 1;

/** Every event of a run with `-i` also names its host at the top level (`host`), for JSON consumers. */
export type RunEvent = (
  | {
      kind: "run-start";
      playbook: string;
      file: string;
      dryRun: boolean;
      version: string;
      /** The inventory host this run is for (runs with `-i` only). */
      host?: string | undefined;
    }
  | { kind: "step-start"; step: StepRef }
  | {
      kind: "step-end";
      step: StepRef;
      status: StepStatus;
      /** The result as registered (redacted when the step is `no_log`). */
      result: Record<string, unknown>;
      durationMs: number;
      /** Why a skipped step was skipped. */
      reason?: string | undefined;
    }
  | { kind: "item-start"; step: StepRef; index: number; label: string }
  | {
      kind: "item-end";
      step: StepRef;
      index: number;
      label: string;
      status: StepStatus;
      result: Record<string, unknown>;
      durationMs: number;
      reason?: string | undefined;
    }
  | { kind: "retry"; step: StepRef; attempt: number; retries: number; delayMs: number; msg: string }
  | { kind: "output"; step: StepRef; stream: "stdout" | "stderr"; chunk: string }
  | { kind: "progress"; step: StepRef; message: string; current?: number | undefined; total?: number | undefined }
  | { kind: "handler-notified"; step: StepRef; handler: string }
  | { kind: "handlers-flush"; handlers: string[] }
  | { kind: "warning"; message: string; location?: SourceLocation | undefined }
  | {
      kind: "run-end";
      /** `unreachable`: the host could not be reached or dropped the connection (runs with `-i`). */
      status: "ok" | "failed" | "interrupted" | "unreachable";
      stats: Stats;
      durationMs: number;
      /** The step that failed or was running when the run was interrupted. */
      stoppedAt?: StepRef | undefined;
      /** Interrupted: `stoppedAt` had completed when the run stopped (its step-end says what it did). */
      stoppedAfter?: boolean | undefined;
      error?: string | undefined;
    }
) & { host?: string | undefined };

export type EventSink = (event: RunEvent) => void;

export function emptyStats(): Stats {
  return { ok: 0, changed: 0, skipped: 0, failed: 0, ignored: 0, rescued: 0 };
}
