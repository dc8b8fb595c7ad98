import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach } from "vitest";
import type { ActionContext, ActionDef } from "../../src/engine/actions/types.js";
import { testContext } from "../support/action-context.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runbook-actions-"));
  dirs.push(dir);
  return dir;
}

/** Every name in dir, sorted: shows leftover temporary files. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

// A stand-in for the engine's Handlebars: {{ name }} from the extra vars, then the step's vars.
function render(template: string, vars: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    const value = name in extra ? extra[name] : vars[name];
    if (value === undefined) throw new Error(`undefined variable ${name}`);
    return String(value);
  });
}

/** An ActionContext over the real local file system, rooted at baseDir. */
export function makeContext(baseDir: string, overrides: Partial<ActionContext> = {}): ActionContext {
  const vars: Record<string, unknown> = overrides.vars ?? {};
  return testContext(baseDir, {
    vars,
    render: (template, extra) => render(template, vars, extra),
    resolveTemplate: async (src) => resolve(baseDir, src),
    ...overrides,
  }).ctx;
}

/** Validates raw arguments as the engine will, so tests get defaults and parsed modes. */
export function args<A>(action: ActionDef<A>, raw: unknown): A {
  return action.schema.parse(raw);
}
