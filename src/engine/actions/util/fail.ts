import { fsReason } from "../../io/fs-errors.js";
import { ActionFailure } from "../types.js";

/** Turns a file-system error into a failure the user can act on: "cannot write /etc/x: permission denied (EACCES)". */
export function fsFailure(what: string, path: string, e: unknown): ActionFailure {
  if (e instanceof ActionFailure) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = fsReason(e) ?? (code ? `failed (${code})` : e instanceof Error ? e.message : String(e));
  return new ActionFailure(`cannot ${what} ${path}: ${reason}`, { path });
}

/** Runs one file-system operation, reporting its failure with `fsFailure`. */
export async function attempt<T>(what: string, path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw fsFailure(what, path, e);
  }
}
