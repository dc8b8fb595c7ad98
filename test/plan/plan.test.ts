import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { planPlaybook } from "../../src/api.js";
import { createFacts } from "../../src/engine/facts.js";
import { type ExecRequest, localExec } from "../../src/engine/io/exec.js";
import { planDocument } from "../../src/engine/plan/document.js";
import { planText } from "../../src/engine/plan/text.js";
import { snapshotTree } from "../support/tmp.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SITE = join(ROOT, "test/fixtures/plan/site");
const PLAYBOOK = join(SITE, "playbook.yml");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

async function plan(started: string[][] = []) {
  const exec = {
    run: (req: ExecRequest) => {
      started.push(req.argv ?? [req.shell ?? ""]);
      return localExec.run(req);
    },
  };
  const r = await planPlaybook(PLAYBOOK, { facts: createFacts(undefined, { arch: "arm64", os: "linux" }), exec });
  const doc = planDocument(r.playbook, r.entries, { status: r.summary.status, version: "0.0.0-test" }, ROOT);
  // Actions name absolute paths; the checkout's location is not part of the plan's meaning.
  const norm = (s: string) => s.split(ROOT).join("<root>").split(ROOT.slice(1)).join("<root>");
  return { json: norm(`${JSON.stringify(doc, null, 2)}\n`), text: norm(planText(doc)) };
}

function golden(name: string, actual: string) {
  const file = join(ROOT, "test/fixtures/plan", name);
  if (UPDATE) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("runbook plan", () => {
  it("matches the golden text and JSON plans", async () => {
    const p = await plan();
    golden("site.plan.txt", p.text);
    golden("site.plan.json", p.json);
  });

  it("changes nothing and starts no process but the check_mode: false probe", async () => {
    const before = snapshotTree(SITE);
    const started: string[][] = [];
    await plan(started);
    expect(snapshotTree(SITE)).toEqual(before);
    expect(started).toEqual([["cat", `${SITE}/files/installed-version`]]);
  });

  it("gives byte-identical output twice, through the real CLI too", async () => {
    const a = await plan();
    const b = await plan();
    expect(b).toEqual(a);
    const cli = (format: string) =>
      execFileSync(
        join(ROOT, "node_modules/.bin/node"),
        ["bin/runbook.js", "plan", PLAYBOOK, "--format", format, "--fact", "arch=arm64"],
        {
          cwd: ROOT,
          env: { ...process.env, NO_COLOR: "1" },
          encoding: "utf8",
        },
      );
    expect(cli("json")).toBe(cli("json"));
    expect(cli("text")).toBe(cli("text"));
  });
});
