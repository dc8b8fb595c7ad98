import { JsonReporter } from "./json.js";
import { PlainReporter } from "./plain.js";
import { TtyReporter } from "./tty.js";
import type { Reporter, ReporterOptions } from "./types.js";

export { chooseColor, chooseOutputMode, type OutputModeInput } from "./mode.js";
export { MASK, REDACTED, redact, redactResult, SecretMasker } from "./redact.js";
export type { OutputMode, OutputStream, Reporter, ReporterOptions } from "./types.js";

/** The reporter for an output mode: tty (listr2 tree), plain (one line per step) or json (JSON lines). */
export function createReporter(opts: ReporterOptions): Reporter {
  switch (opts.mode) {
    case "tty":
      return new TtyReporter(opts);
    case "plain":
      return new PlainReporter(opts);
    case "json":
      return new JsonReporter(opts);
  }
}
