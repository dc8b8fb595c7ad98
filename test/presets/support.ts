import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { createFacts } from "../../src/engine/facts.js";
import { tempDir } from "../support/tmp.js";

export const HOST_OS = process.platform === "darwin" ? "darwin" : "linux";
export const HOST_ARCH = process.arch === "x64" ? "amd64" : process.arch;

/** A temp HOME, install dir and cache dir: nothing a preset test does reaches the real ones. */
export interface Sandbox {
  dir: string;
  home: string;
  installDir: string;
  cacheDir: string;
  cleanup: () => Promise<void>;
}

export async function sandbox(prefix: string): Promise<Sandbox> {
  const { dir, cleanup } = await tempDir(prefix);
  return { dir, home: join(dir, "home"), installDir: join(dir, "bin"), cacheDir: join(dir, "cache"), cleanup };
}

export interface PresetRun {
  status: string;
  changed: number;
  failed: number;
  events: RunEvent[];
}

/** Run `preset:` with its `with:` (the mirror and install_dir filled in) as if on the given os/arch. */
export async function applyPreset(
  s: Sandbox,
  preset: string,
  mirror: string,
  pair: { os: string; arch: string },
  params: Record<string, unknown>,
): Promise<PresetRun> {
  const file = join(s.dir, "playbook.yml");
  const withArgs = { mirror, install_dir: s.installDir, ...params };
  await writeFile(file, `name: ${preset}\ntasks:\n  - preset: ${preset}\n    with: ${JSON.stringify(withArgs)}\n`);
  const events: RunEvent[] = [];
  const summary = await runPlaybook(file, {
    facts: createFacts(undefined, { os: pair.os, arch: pair.arch, home: s.home }),
    env: { PATH: process.env.PATH, HOME: s.home },
    cacheDir: s.cacheDir,
    onEvent: (e) => events.push(e),
  });
  return { status: summary.status, changed: summary.stats.changed, failed: summary.stats.failed, events };
}
