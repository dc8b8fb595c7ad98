import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPlaybook } from "../../src/api.js";
import { parseExtraVars } from "../../src/cli/extra-vars.js";
import { formatError } from "../../src/cli/format-error.js";
import { RunbookError, RunbookErrors } from "../../src/engine/errors.js";
import type { RunEvent } from "../../src/engine/events.js";
import { createFacts, type Facts } from "../../src/engine/facts.js";
import { normalize, transcriptLine } from "../support/transcript.js";

/**
 * Golden fixtures, one folder per rule of SPEC §2–§6: test/fixtures/<feature>/playbook.yml, an
 * optional case.json (extra vars as typed on the command line, tags, facts, ...), and expected.txt,
 * the transcript of the run. `UPDATE_GOLDEN=1 npx vitest run test/engine/fixtures.test.ts` rewrites them.
 */
interface Case {
  /** `-e` arguments exactly as typed; `@file` is relative to the fixture. */
  e?: string[];
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  forceHandlers?: boolean;
  facts?: Partial<Facts>;
  /** Prepend the fixture's bin/ folder to PATH (stand-ins such as a recording sudo). */
  path?: boolean;
  /** Print these files (relative to the temp dir) after the run. */
  files?: string[];
}

const ROOT = resolve(import.meta.dirname, "../fixtures");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

const fixtures = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "invalid" && existsSync(join(ROOT, d.name, "playbook.yml")))
  .map((d) => d.name)
  .sort();

async function transcript(name: string): Promise<string> {
  const dir = join(ROOT, name);
  const c: Case = existsSync(join(dir, "case.json")) ? JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) : {};
  const tmp = mkdtempSync(join(tmpdir(), `runbook-${name}-`));
  temps.push(tmp);
  const lines: string[] = [];
  const onEvent = (e: RunEvent) => {
    const l = transcriptLine(e, dir);
    if (l !== undefined) lines.push(l);
  };
  const e = (c.e ?? []).map((a) => (a.startsWith("@") ? `@${join(dir, a.slice(1))}` : a));
  const savedPath = process.env.PATH;
  if (c.path) process.env.PATH = `${join(dir, "bin")}:${savedPath}`;
  try {
    await runPlaybook(join(dir, "playbook.yml"), {
      onEvent,
      extraVars: { tmp, ...parseExtraVars(e) },
      tags: c.tags,
      skipTags: c.skipTags,
      startAtTask: c.startAtTask,
      forceHandlers: c.forceHandlers,
      facts: createFacts(undefined, { arch: "amd64", os: "linux", ...c.facts }),
      env: { ...process.env, RUNBOOK_FIXTURE: name },
    });
  } catch (err) {
    if (!(err instanceof RunbookError || err instanceof RunbookErrors)) throw err;
    lines.push(`exit ${err.exitCode}`, formatError(err, { color: false }));
  } finally {
    process.env.PATH = savedPath;
  }
  for (const f of c.files ?? []) {
    const p = join(tmp, f);
    lines.push(`file ${f}: ${existsSync(p) ? JSON.stringify(readFileSync(p, "utf8")) : "(absent)"}`);
  }
  return `${normalize(lines.join("\n"), { "<tmp>": tmp, "<fixture>": dir })}\n`;
}

describe("golden fixtures (SPEC §2–§6)", () => {
  it.each(fixtures)("%s", async (name) => {
    const got = await transcript(name);
    const golden = join(ROOT, name, "expected.txt");
    if (UPDATE) writeFileSync(golden, got);
    expect(got).toBe(readFileSync(golden, "utf8"));
  });
});
