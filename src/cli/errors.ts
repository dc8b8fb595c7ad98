import { InternalError, RunbookError, RunbookErrors } from "../engine/errors.js";
import { chooseColor } from "../engine/report/mode.js";
import { VERSION } from "../version.js";
import { formatError } from "./format-error.js";

export function exitCodeOf(e: unknown): number {
  if (e instanceof RunbookError || e instanceof RunbookErrors) return e.exitCode;
  if (e instanceof InternalError) return 70;
  return 70;
}

/** The only place errors are printed. `mask` hides secret values unless --show-secrets. */
export function printError(e: unknown, mask?: (text: string) => string): void {
  const color = chooseColor({ isTTY: process.stderr.isTTY === true, env: process.env });
  process.stderr.write(`${formatError(e, { color, mask, version: VERSION })}\n`);
}
