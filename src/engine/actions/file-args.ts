import { isAbsolute, resolve } from "node:path";

export { durationSchema as timeoutArg } from "../duration.js";
export { modeSchema as modeArg } from "./util/mode.js";

/** A path from the playbook, made absolute against the declaring file's directory; a trailing "/" is kept. */
export function resolveArgPath(baseDir: string, path: string): string {
  const abs = isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
  return path.endsWith("/") && !abs.endsWith("/") ? `${abs}/` : abs;
}
