import { join } from "node:path";
import type { ActionContext } from "../../src/engine/actions/types.js";
import { localExec } from "../../src/engine/io/exec.js";
import { localFs } from "../../src/engine/io/fs.js";

export interface ProgressCall {
  message: string;
  current?: number | undefined;
  total?: number | undefined;
}

/** An ActionContext built by hand on the local adapters; `progressCalls` records what the action reported. */
export function testContext(
  baseDir: string,
  overrides: Partial<ActionContext> = {},
): { ctx: ActionContext; progressCalls: ProgressCall[] } {
  const progressCalls: ProgressCall[] = [];
  const ctx: ActionContext = {
    exec: localExec,
    fs: localFs,
    step: { id: "1", name: "test step", action: "test", chain: [], depth: 0 },
    baseDir,
    playbookDir: baseDir,
    env: {},
    become: false,
    noLog: false,
    dryRun: false,
    signal: new AbortController().signal,
    vars: {},
    render: (template) => template,
    resolveTemplate: async (src) => src,
    output: () => {},
    progress: (message, current, total) => progressCalls.push({ message, current, total }),
    cacheDir: join(baseDir, ".cache"),
    // Never this process's environment: a proxy set on the machine must not reroute loopback tests.
    processEnv: {},
    ...overrides,
  };
  return { ctx, progressCalls };
}
