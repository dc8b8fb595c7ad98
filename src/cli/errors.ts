import { InternalError, RunbookError, RunbookErrors } from "../engine/errors.js";
import { formatUserError } from "./basic-output.js";

export function exitCodeOf(e: unknown): number {
  if (e instanceof RunbookError || e instanceof RunbookErrors) return e.exitCode;
  if (e instanceof InternalError) return 70;
  return 70;
}

/** The only place errors are printed. */
export function printError(e: unknown): void {
  process.stderr.write(`${formatUserError(e)}\n`);
}
