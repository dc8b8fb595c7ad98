import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export async function tempDir(prefix = "runbook-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every path under `dir` (relative, sorted, directories with a trailing slash): what a test asserts is left behind. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    const rel = relative(dir, join(e.parentPath, e.name));
    out.push(e.isDirectory() ? `${rel}/` : rel);
  }
  return out.sort();
}

/** Every path below `dir` with its mtime, mode and bytes: a run that must change nothing leaves this equal. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    out[p] = st.isDirectory() ? `dir ${st.mtimeMs}` : `${st.mtimeMs} ${st.mode} ${readFileSync(p, "base64")}`;
    if (st.isDirectory()) Object.assign(out, snapshotTree(p));
  }
  return out;
}
