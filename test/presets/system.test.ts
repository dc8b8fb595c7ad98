// The preset system (SPEC §7): typed parameters checked before anything runs, templated defaults,
// presets using presets, scoping of registered results, the plan, the lookup order, and the
// `runbook presets` / `presets show` commands.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadPlaybook, planPlaybook, RunbookErrors, runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { createFacts } from "../../src/engine/facts.js";
import { clearPresetCache } from "../../src/engine/load/preset.js";
import { CLI, NODE, runCli } from "../support/cli.js";
import { tempDir } from "../support/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("runbook-presets-"));
  // Presets are cached per folder; every test writes its own.
  clearPresetCache();
});

afterEach(async () => {
  await cleanup();
});

/** Write `files` (path → text) under the test's folder. */
async function files(tree: Record<string, string>): Promise<void> {
  for (const [p, text] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), text);
  }
}

/** A preset whose only step prints `<label>`, to see which of several same-named presets ran. */
const says = (name: string, label: string) =>
  `name: ${name}\nparameters: {}\ntasks:\n  - name: says\n    print: "${label}"\n`;

/** Whether plain output shows a print step's message `label` (on its own indented line). */
const saidIn = (out: string, label: string) => new RegExp(`^\\s+${label}$`, "m").test(out);

/** The CLI run from `cwd` (runCli runs from the repository root). */
function cliIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(NODE, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", RUNBOOK_PRESET_PATH: "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run through the API; the print messages and the step-ends, in order. */
async function run(file: string, opts: Parameters<typeof runPlaybook>[1] = {}) {
  const events: RunEvent[] = [];
  const summary = await runPlaybook(join(dir, file), { ...opts, onEvent: (e) => events.push(e) });
  const ends = events.filter((e): e is Extract<RunEvent, { kind: "step-end" }> => e.kind === "step-end");
  const printed = ends.filter((e) => e.step.action === "print").map((e) => String(e.result.msg));
  return { summary, ends, printed };
}

const TYPED = `name: typed
description: one parameter of each type
parameters:
  word:  { type: string, required: true, description: a word }
  count: { type: number, default: 2 }
  flag:  { type: boolean, default: false }
  items: { type: list, default: [a] }
  opts:  { type: map, default: { k: v } }
  state: { type: string, enum: [present, absent], default: present }
  where: { type: string, default: "{{ facts.home }}/.local/bin" }
tasks:
  - name: show
    print: "{{ toJson params }}"
  - assert:
      that:
        - type(params.count) == int || type(params.count) == double
        - type(params.flag) == bool
        - type(params.items) == list
        - type(params.opts) == map
`;

describe("typed parameters are checked before anything runs", () => {
  // line:col of each offending value or key in the playbook below.
  const playbook = [
    "tasks:", //                                          1
    "  - name: marker", //                                2
    '    command: [touch, "{{ marker }}"]', //            3
    "  - preset: typed", //                               4
    "    with:", //                                       5
    "      word: w", //                                   6
    "      wrod: x", //                                   7  unknown key
    "      count: many", //                               8  not a number
    '      flag: "yes"', //                               9  not a boolean
    "      items: a", //                                  10 not a list
    "      opts: [k]", //                                 11 not a map
    "      state: gone", //                               12 not in enum
    "  - preset: typed", //                               13 required `word` missing
    "    with: { count: 3 }", //                          14
    "",
  ].join("\n");

  test.each([["apply"], ["validate"], ["plan"]])(
    "`runbook %s` exits 2 naming each problem at file:line:col",
    async (cmd) => {
      await files({ "presets/typed/preset.yml": TYPED, "playbook.yml": playbook });
      const marker = join(dir, "marker");
      const r = runCli([cmd, join(dir, "playbook.yml"), "-e", JSON.stringify({ marker })]);
      const out = r.stdout + r.stderr;
      expect(r.code, out).toBe(2);
      const at = (line: number, col: number) => `playbook.yml:${line}:${col}`;
      expect(out).toContain(at(7, 7));
      expect(out).toContain("preset `typed` has no parameter `wrod`");
      expect(out).toMatch(/did you mean `word`/);
      expect(out).toContain(at(8, 14));
      expect(out).toContain("parameter `count` must be a number");
      expect(out).toContain(at(9, 13));
      expect(out).toContain("parameter `flag` must be a boolean");
      expect(out).toContain(at(10, 14));
      expect(out).toContain("parameter `items` must be a list");
      expect(out).toContain(at(11, 13));
      expect(out).toContain("parameter `opts` must be a map");
      expect(out).toContain(at(12, 14));
      expect(out).toContain('parameter `state` must be one of "present", "absent", got "gone"');
      expect(out).toContain("preset `typed` needs parameter `word`");
      expect(out).toMatch(/playbook\.yml:1[34]:\d+/);
      expect(existsSync(marker)).toBe(false);
    },
  );

  test("a with: that is not a mapping is one schema error at its place", async () => {
    await files({
      "presets/typed/preset.yml": TYPED,
      "playbook.yml": "tasks:\n  - preset: typed\n    with: [word]\n",
    });
    const r = runCli(["validate", join(dir, "playbook.yml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("playbook.yml:3:11: error[schema]: with: expected a mapping, got a list");
    expect(r.stderr).not.toContain("no parameter");
    expect(r.stderr).toContain("1 error");
  });

  test("a preset with a broken step fails every load in the process, not only the first", async () => {
    await files({
      "presets/bad/preset.yml": "name: bad\ntasks:\n  - name: typo\n    shel: echo hi\n  - print: fine\n",
      "playbook.yml": "tasks:\n  - preset: bad\n  - preset: bad\n",
    });
    for (let i = 0; i < 2; i++) {
      const err = (() => {
        try {
          loadPlaybook(join(dir, "playbook.yml"));
        } catch (e) {
          return e as RunbookErrors;
        }
        return undefined;
      })();
      expect(err, `load ${i + 1}`).toBeInstanceOf(RunbookErrors);
      // Reported once, at its place in the preset, though the preset is used twice.
      expect(err?.errors.map((e) => e.message)).toEqual(["unknown key `shel` in step"]);
      expect(err?.errors[0]?.location).toMatchObject({ file: join(dir, "presets/bad/preset.yml"), line: 4, col: 5 });
    }
  });

  test("a templated value of the wrong type is caught before the marker runs", async () => {
    await files({
      "presets/typed/preset.yml": TYPED,
      "playbook.yml": [
        "vars: { n: many }",
        "tasks:",
        "  - name: marker",
        '    command: [touch, "{{ marker }}"]',
        "  - preset: typed",
        '    with: { word: w, count: "{{ n }}" }',
        "",
      ].join("\n"),
    });
    const marker = join(dir, "marker");
    const r = runCli(["apply", join(dir, "playbook.yml"), "-e", JSON.stringify({ marker })]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toContain("parameter `count` must be a number");
    expect(r.stdout + r.stderr).toMatch(/playbook\.yml:6:\d+/);
    expect(existsSync(marker)).toBe(false);
  });

  test("valid values of every type reach the preset, defaults fill the rest, templated defaults see facts", async () => {
    await files({
      "presets/typed/preset.yml": TYPED,
      "playbook.yml": [
        "vars: { n: 7 }",
        "tasks:",
        "  - preset: typed",
        "    with: { word: w }",
        "  - preset: typed",
        '    with: { word: "{{ n }}-x", count: "{{ n }}", flag: true, items: [x, y], opts: { a: 1 }, state: absent }',
        "",
      ].join("\n"),
    });
    const home = join(dir, "home");
    const { summary, printed } = await run("playbook.yml", { facts: createFacts(undefined, { home }) });
    expect(summary.status).toBe("ok");
    expect(printed.map((p) => JSON.parse(p))).toEqual([
      {
        word: "w",
        count: 2,
        flag: false,
        items: ["a"],
        opts: { k: "v" },
        state: "present",
        where: `${home}/.local/bin`,
      },
      {
        word: "7-x",
        count: 7,
        flag: true,
        items: ["x", "y"],
        opts: { a: 1 },
        state: "absent",
        where: `${home}/.local/bin`,
      },
    ]);
  });
});

describe("presets inside presets", () => {
  const OUTER = `name: outer
parameters:
  who: { type: string, required: true }
tasks:
  - name: outer registers r
    command: [echo, outer]
    register: r
  - name: uses its sibling from the playbook's presets/
    preset: inner
    with: { who: "{{ params.who }} via outer" }
  - name: uses one relative to itself
    preset: ./parts/leaf
  - name: outer's r is its own
    assert: { that: ['r.stdout == "outer"', 'params.who == "me"'] }
`;
  const INNER = `name: inner
parameters:
  who: { type: string, required: true }
tasks:
  - name: inner registers r
    command: [echo, inner]
    register: r
  - name: inner says
    print: "inner {{ params.who }} r={{ r.stdout }}"
`;
  const LEAF = "name: leaf\ntasks:\n  - name: leaf says\n    print: leaf\n";
  const PLAYBOOK = [
    "tasks:",
    "  - name: caller registers r",
    "    command: [echo, caller]",
    "    register: r",
    "  - name: outer",
    "    preset: outer",
    "    with: { who: me }",
    "  - name: nothing registered inside leaks out",
    "    assert:",
    "      that:",
    '        - r.stdout == "caller"',
    "        - '!(\"params\" in vars)'",
    "",
  ].join("\n");

  beforeEach(async () => {
    await files({
      "presets/outer/preset.yml": OUTER,
      "presets/outer/parts/leaf/preset.yml": LEAF,
      "presets/inner/preset.yml": INNER,
      "playbook.yml": PLAYBOOK,
    });
  });

  test("run: the nested presets run in order with their own parameters and registers", async () => {
    const { summary, printed, ends } = await run("playbook.yml");
    const failed = ends.filter((e) => e.status === "failed").map((e) => `${e.step.name}: ${String(e.result.msg)}`);
    expect(failed).toEqual([]);
    expect(summary.status).toBe("ok");
    expect(printed).toEqual(["inner me via outer r=inner", "leaf"]);
  });

  test("plan: every inner step is listed, with the presets it came through", async () => {
    const { entries } = await planPlaybook(join(dir, "playbook.yml"));
    const rows = entries.map((e) => ({
      name: e.step.name,
      chain: e.step.chain.filter((c) => c.kind === "preset").map((c) => c.name),
    }));
    expect(rows).toEqual([
      { name: "caller registers r", chain: [] },
      { name: "outer registers r", chain: ["outer"] },
      { name: "inner registers r", chain: ["outer", "inner"] },
      { name: "inner says", chain: ["outer", "inner"] },
      { name: "leaf says", chain: ["outer", "leaf"] },
      { name: "outer's r is its own", chain: ["outer"] },
      { name: "nothing registered inside leaks out", chain: [] },
    ]);
    const cli = runCli(["plan", join(dir, "playbook.yml")]);
    expect(cli.code, cli.stderr).toBe(0);
    for (const row of rows) expect(cli.stdout).toContain(row.name);
  });
});

describe("lookup order (SPEC §7)", () => {
  /** Same-named `helm` presets in every place, each saying where it is; `helm` is also bundled. */
  async function everywhere(): Promise<{ envDir: string; flagDir: string }> {
    const envDir = join(dir, "env-path");
    const flagDir = join(dir, "flag-path");
    await files({
      "project/playbook.yml": "tasks:\n  - preset: helm\n",
      "project/presets/helm/preset.yml": says("helm", "playbook"),
      "env-path/helm/preset.yml": says("helm", "env"),
      "flag-path/helm/preset.yml": says("helm", "flag"),
    });
    return { envDir, flagDir };
  }

  const apply = (env: string, flag: string) =>
    cliIn(join(dir, "project"), ["apply", "playbook.yml", "--output", "plain", "--preset-path", flag], {
      RUNBOOK_PRESET_PATH: env,
    });

  test("the playbook's presets/, then RUNBOOK_PRESET_PATH, then --preset-path, then bundled", async () => {
    const { envDir, flagDir } = await everywhere();
    const first = apply(envDir, flagDir);
    expect(first.code, first.stderr).toBe(0);
    expect(saidIn(first.stdout, "playbook"), first.stdout).toBe(true);

    await files({ "project/presets/helm/preset.yml": "" });
    spawnSync("rm", ["-r", join(dir, "project/presets/helm")]);
    const second = apply(envDir, flagDir);
    expect(second.code, second.stderr).toBe(0);
    expect(saidIn(second.stdout, "env"), second.stdout).toBe(true);

    spawnSync("rm", ["-r", join(envDir, "helm")]);
    const third = apply(envDir, flagDir);
    expect(third.code, third.stderr).toBe(0);
    expect(saidIn(third.stdout, "flag"), third.stdout).toBe(true);

    spawnSync("rm", ["-r", join(flagDir, "helm")]);
    // Only the bundled helm is left: `presets show` and the plan say so (nothing is installed).
    const show = cliIn(join(dir, "project"), ["presets", "show", "helm", "--preset-path", flagDir], {
      RUNBOOK_PRESET_PATH: envDir,
    });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout.split("\n")[0]).toMatch(/^helm \(bundled: .*src\/presets\/helm\)$/);
  });

  test("a task file included from a subfolder uses the playbook's presets/ too", async () => {
    await files({
      "project/playbook.yml": "tasks:\n  - include: tasks/main.yml\n",
      "project/tasks/main.yml": "- preset: local\n",
      "project/presets/local/preset.yml": says("local", "playbook"),
    });
    const r = cliIn(join(dir, "project"), ["apply", "playbook.yml", "--output", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(saidIn(r.stdout, "playbook"), r.stdout).toBe(true);
  });

  test("the API reads RUNBOOK_PRESET_PATH from its env option, then presetPaths", async () => {
    await files({
      "project/playbook.yml": "tasks:\n  - preset: only-elsewhere\n",
      "env-path/only-elsewhere/preset.yml": says("only-elsewhere", "env"),
      "flag-path/only-elsewhere/preset.yml": says("only-elsewhere", "flag"),
    });
    const env = { PATH: process.env.PATH, RUNBOOK_PRESET_PATH: join(dir, "env-path") };
    const both = await run("project/playbook.yml", { env, presetPaths: [join(dir, "flag-path")] });
    expect(both.printed).toEqual(["env"]);
    clearPresetCache();
    const flagOnly = await run("project/playbook.yml", {
      env: { PATH: process.env.PATH },
      presetPaths: [join(dir, "flag-path")],
    });
    expect(flagOnly.printed).toEqual(["flag"]);
  });

  test("a relative ./presets/x names that folder only, and is not looked up elsewhere", async () => {
    await files({
      "project/playbook.yml": "tasks:\n  - preset: ./vendor/helm\n  - preset: ./presets/helm\n",
      "project/vendor/helm/preset.yml": says("helm", "vendored"),
      "project/presets/helm/preset.yml": says("helm", "playbook"),
    });
    const r = cliIn(join(dir, "project"), ["apply", "playbook.yml", "--output", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+vendored$[\s\S]*^\s+playbook$/m);

    await files({ "project/playbook.yml": "tasks:\n  - preset: ./nowhere/helm\n" });
    const missing = cliIn(join(dir, "project"), ["apply", "playbook.yml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("preset `./nowhere/helm` not found");
    expect(missing.stderr).toContain("playbook.yml:2:13");
  });

  test("an installed npm package: @acme/runbook-presets/k3s-node, with or without a runbook.presets folder", async () => {
    await files({
      "project/playbook.yml": 'tasks:\n  - preset: "@acme/runbook-presets/k3s-node"\n',
      "project/node_modules/@acme/runbook-presets/package.json": JSON.stringify({
        name: "@acme/runbook-presets",
        version: "1.0.0",
      }),
      "project/node_modules/@acme/runbook-presets/k3s-node/preset.yml": says("k3s-node", "npm root"),
    });
    const project = join(dir, "project");
    const r = cliIn(project, ["apply", "playbook.yml", "--output", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(saidIn(r.stdout, "npm root"), r.stdout).toBe(true);

    // A `runbook.presets` field in package.json names the folder holding the presets.
    await files({
      "project/node_modules/@acme/runbook-presets/package.json": JSON.stringify({
        name: "@acme/runbook-presets",
        version: "1.1.0",
        runbook: { presets: "lib/presets" },
      }),
      "project/node_modules/@acme/runbook-presets/lib/presets/k3s-node/preset.yml": says("k3s-node", "npm field"),
    });
    const field = cliIn(project, ["apply", "playbook.yml", "--output", "plain"]);
    expect(field.code, field.stderr).toBe(0);
    expect(saidIn(field.stdout, "npm field"), field.stdout).toBe(true);

    // Found from the playbook's folder, not the current one.
    const elsewhere = runCli(["apply", join(project, "playbook.yml"), "--output", "plain"]);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(saidIn(elsewhere.stdout, "npm field"), elsewhere.stdout).toBe(true);

    // A search path comes before an npm package.
    await files({ "paths/@acme/runbook-presets/k3s-node/preset.yml": says("k3s-node", "search path") });
    const path = cliIn(project, ["apply", "playbook.yml", "--output", "plain", "--preset-path", join(dir, "paths")]);
    expect(path.code, path.stderr).toBe(0);
    expect(saidIn(path.stdout, "search path"), path.stdout).toBe(true);
  });
});

describe("runbook presets", () => {
  test("lists every preset found, with where it came from; nearer ones hide farther ones", async () => {
    await files({
      "project/presets/local-one/preset.yml": `${says("local-one", "x")}description: from the playbook folder\n`,
      "project/presets/helm/preset.yml": `${says("helm", "x")}description: my own helm\n`,
      "env-path/env-one/preset.yml": says("env-one", "x"),
      "flag-path/flag-one/preset.yml": says("flag-one", "x"),
      "project/node_modules/@acme/runbook-presets/package.json": '{"name":"@acme/runbook-presets","version":"1.0.0"}',
      "project/node_modules/@acme/runbook-presets/k3s-node/preset.yml": says("k3s-node", "x"),
    });
    const r = cliIn(join(dir, "project"), ["presets", "--preset-path", join(dir, "flag-path")], {
      RUNBOOK_PRESET_PATH: join(dir, "env-path"),
    });
    expect(r.code, r.stderr).toBe(0);
    const rows = new Map(
      r.stdout
        .split("\n")
        .filter((l) => /^\S/.test(l))
        .map((l) => {
          const [name, origin] = l.split(/\s+/);
          return [name!, origin!] as const;
        }),
    );
    expect(rows.get("local-one")).toBe("playbook");
    expect(rows.get("helm")).toBe("playbook");
    expect(rows.get("env-one")).toBe("path");
    expect(rows.get("flag-one")).toBe("path");
    expect(rows.get("@acme/runbook-presets/k3s-node")).toBe("npm");
    for (const bundled of ["istio", "kubectl", "k3s", "gateway-api"]) expect(rows.get(bundled)).toBe("bundled");
    expect(r.stdout).toContain("my own helm");
    expect(r.stdout).toContain(join(dir, "flag-path", "flag-one"));
  });

  test("presets show istio: parameters with types, defaults, enum, descriptions, then the README", () => {
    const r = runCli(["presets", "show", "istio"]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out.split("\n")[0]).toBe("istio (bundled: src/presets/istio)");
    expect(out).toContain("Install or remove istioctl, pinned and checksum-verified");
    expect(out).toContain('  version: string (default: "1.30.4")');
    expect(out).toContain('  state: string (default: "present"; one of "present", "absent")');
    expect(out).toContain('  install_dir: string (default: "{{ facts.home }}/.local/bin")');
    expect(out).toContain('  mirror: string (default: "https://github.com/istio/istio/releases/download")');
    expect(out).toContain("Folder that receives the istioctl binary");
    expect(out).toContain("# Preset `istio`: istioctl, pinned and verified");
    expect(out).toContain("## Which file it downloads");
  });

  test("presets show of an unknown name exits non-zero and says so", () => {
    const r = runCli(["presets", "show", "no-such-preset"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("preset `no-such-preset` not found");
  });
});
