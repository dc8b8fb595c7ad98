import type { RunEvent } from "../events.js";
import type { SecretMasker } from "./redact.js";

/** Renders the engine's events: one per output mode. */
export interface Reporter {
  onEvent(e: RunEvent): void;
  /** Finish drawing and flush everything written; resolves when the stream has taken every byte. */
  close(): Promise<void>;
}

export type OutputMode = "tty" | "plain" | "json";

/** Where a reporter writes: process.stdout in production, a capturing stream in tests. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

export interface ReporterOptions {
  mode: OutputMode;
  stream: OutputStream;
  /** `-v`: full output of failed steps; output chunks in plain and json. */
  verbose: boolean;
  color: boolean;
  /** `--show-secrets`: do not mask the values of secret-looking variables. */
  showSecrets: boolean;
  /** Masks secret values in everything printed (unless showSecrets). */
  masker?: SecretMasker | undefined;
  /** Milliseconds since the epoch; injected by tests for the json `time` field. */
  now?: (() => number) | undefined;
}
