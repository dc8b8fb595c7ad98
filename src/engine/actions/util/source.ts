import { isAbsolute, resolve } from "node:path";
import type { ActionContext } from "../types.js";
import { ActionFailure } from "../types.js";
import { attempt } from "./fail.js";

/** A playbook-relative `src` as an absolute path. */
export function sourcePath(ctx: ActionContext, src: string): string {
  return isAbsolute(src) ? src : resolve(ctx.baseDir, src);
}

/**
 * The bytes of a source file that sits beside the playbook (copy `src`, template files).
 * The one place that reads the controller's files: on an SSH host they are read here, not there.
 */
export async function readSource(ctx: ActionContext, path: string, what = "src"): Promise<Buffer> {
  const fs = ctx.controllerFs ?? ctx.fs;
  const st = await attempt("read", path, () => fs.stat(path));
  if (st?.type === "directory")
    throw new ActionFailure(`${what} ${path} is a directory; copying directories is not supported`);
  const bytes = await attempt("read", path, () => fs.readFile(path));
  if (bytes === undefined) throw new ActionFailure(`${what} ${path} does not exist`, { path });
  return bytes;
}
