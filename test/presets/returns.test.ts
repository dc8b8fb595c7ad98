// A preset's `returns:` (templates over params and facts) are set for later steps as `<name>.<key>`,
// also when the preset's own steps are skipped or filtered out; the istio preset returns `istio.bin` and says
// when its install_dir is not on PATH.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { planPlaybook, runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { createFacts } from "../../src/engine/facts.js";
import { clearPresetCache } from "../../src/engine/load/preset.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("runbook-returns-"));
  clearPresetCache();
});
afterEach(() => cleanup());

async function files(tree: Record<string, string>): Promise<void> {
  for (const [p, text] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), text);
  }
}

/** Run through the API; the print messages in order. */
async function printed(file: string, opts: Parameters<typeof runPlaybook>[1] = {}) {
  const events: RunEvent[] = [];
  const summary = await runPlaybook(join(dir, file), { ...opts, onEvent: (e) => events.push(e) });
  const msgs = events
    .filter((e): e is Extract<RunEvent, { kind: "step-end" }> => e.kind === "step-end")
    .filter((e) => e.step.action === "print" && !e.result.skipped)
    .map((e) => String(e.result.msg));
  return { summary, msgs };
}

const TOOL = `name: my-tool
parameters:
  dir: { type: string, default: "{{ facts.home }}/bin" }
  state: { type: string, default: present }
returns:
  bin: "{{ params.dir }}/tool"
  dir: "{{ params.dir }}"
tasks:
  - name: inside
    print: "installing into {{ params.dir }}"
`;

describe("preset returns", () => {
  test("later steps read them as <name>.<key> (`-` in the name is `_`), from `with:` or the defaults", async () => {
    await files({
      "presets/my-tool/preset.yml": TOOL,
      "a.yml": [
        "- preset: my-tool",
        "- print: '{{ my_tool.bin }}'",
        "- preset: my-tool",
        "  with: { dir: /opt/x }",
        "- print: '{{ my_tool.bin }} {{ my_tool.dir }}'",
        "- assert: { that: 'my_tool.bin == \"/opt/x/tool\"' }",
        "",
      ].join("\n"),
    });
    const r = await printed("a.yml", { facts: createFacts(undefined, { home: "/home/pi" }) });
    expect(r.summary.status).toBe("ok");
    expect(r.msgs).toEqual([
      "installing into /home/pi/bin",
      "/home/pi/bin/tool",
      "installing into /opt/x",
      "/opt/x/tool /opt/x",
    ]);
  });

  test("are set when the preset is skipped by `when` or filtered out by tags", async () => {
    await files({
      "presets/my-tool/preset.yml": TOOL,
      "b.yml": [
        "- preset: my-tool",
        "  with: { dir: /w }",
        "  when: false",
        "- print: 'when {{ my_tool.bin }}'",
        "  tags: [always]",
        "- preset: my-tool",
        "  with: { dir: /t }",
        "  tags: [install]",
        "- print: 'tags {{ my_tool.bin }}'",
        "  tags: [always]",
        "- print: other",
        "  tags: [other]",
        "",
      ].join("\n"),
    });
    const r = await printed("b.yml", { tags: ["other"] });
    expect(r.summary.status).toBe("ok");
    expect(r.msgs).toEqual(["when /w/tool", "tags /t/tool", "other"]);
  });

  test("validate rejects a returns key that is not a name, or a value that is not a string", async () => {
    await files({
      "presets/bad/preset.yml": "name: bad\nreturns:\n  bad-key: x\n  n: 3\ntasks: []\n",
      "c.yml": "- preset: bad\n",
    });
    const r = runCli(["validate", join(dir, "c.yml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("returns");
    expect(r.stderr).toMatch(/preset\.yml:3:\d+: error\[schema\]: returns/);
    expect(r.stderr).toMatch(/preset\.yml:4:\d+: error\[schema\]: returns\.n: expected a string/);
  });
});

describe("the istio preset", () => {
  const playbook = "- preset: istio\n  with: { install_dir: /opt/istio/bin }\n- print: 'calls {{ istio.bin }}'\n";

  test("returns istio.bin, and says when install_dir is not on PATH", async () => {
    await files({ "i.yml": playbook });
    const p = await planPlaybook(join(dir, "i.yml"), { env: { ...process.env, PATH: "/usr/bin:/bin" } });
    const said = p.entries.filter((e) => e.step.action === "print" && e.decision !== "skip");
    expect(said.map((e) => e.step.name)).toEqual([
      "Say that /opt/istio/bin is not on PATH",
      "print: calls {{ istio.bin }}",
    ]);
    const text = JSON.stringify(p.entries);
    expect(text).toContain("calls /opt/istio/bin/istioctl");
    expect(text).toContain("istioctl is in /opt/istio/bin, which is not on PATH: later steps call it by its path");
  });

  test("says nothing about PATH when install_dir is on it", async () => {
    await files({ "i.yml": playbook });
    const p = await planPlaybook(join(dir, "i.yml"), { env: { ...process.env, PATH: "/usr/bin:/opt/istio/bin" } });
    const note = p.entries.find((e) => e.step.name === "Say that /opt/istio/bin is not on PATH");
    expect(note?.decision).toBe("skip");
    expect(JSON.stringify(p.entries)).toContain("calls /opt/istio/bin/istioctl");
  });
});
