import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../version.js";
import { ActionFailure } from "../actions/types.js";

/** The user's cache folder for runbook (downloads are cached here by checksum). */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.RUNBOOK_CACHE_DIR) return env.RUNBOOK_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "runbook");
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "runbook");
  return join(homedir(), ".cache", "runbook");
}

export const BUNDLED_TEMPLATES = join(PACKAGE_ROOT, "templates");

/** SPEC §1: next to the declaring file, then its templates/ folder, then the bundled templates/. */
export function templateCandidates(src: string, baseDir: string): string[] {
  if (isAbsolute(src)) return [src];
  return [resolve(baseDir, src), resolve(baseDir, "templates", src), resolve(BUNDLED_TEMPLATES, src)];
}

export async function resolveTemplateFile(src: string, baseDir: string): Promise<string> {
  const candidates = templateCandidates(src, baseDir);
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ActionFailure(`template ${src} not found; looked in:\n  ${candidates.join("\n  ")}`);
  return found;
}
