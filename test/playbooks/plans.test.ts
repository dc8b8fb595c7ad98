// Issue 7: every bundled playbook validates, and its `runbook plan` (text and JSON) is a golden file:
// test/fixtures/playbooks/plans/<name>.plan.{txt,json}. Regenerate with UPDATE_GOLDEN=1 and read the
// diff as a user would.
//
// The plans must not depend on the machine that makes them: facts are fixed with --fact, HOME is a
// fresh temporary folder (shown as <home>), the checkout is shown as <root>, the recording stand-ins
// (test/support/bin) answer the kubectl probes from a fresh RUNBOOK_STUB_STATE, and KUBECONFIG names a
// missing file, so every k8s step says the cluster is not reachable. For homelab-k3s, the stand-ins in
// test/support/host-bin answer its shell probes of the kernel (memory cgroup, virtual address bits).
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPO, runCli } from "../support/cli.js";
import { listTree, tempDir } from "../support/tmp.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const GOLDEN = join(REPO, "test/fixtures/playbooks/plans");
const STUBS = join(REPO, "test/support/bin");
const HOST_STUBS = join(REPO, "test/support/host-bin");

interface Scenario {
  name: string;
  /** Facts of the machine the plan is for, on top of the common ones. */
  facts: Record<string, string | number>;
  /** -e values: only where the defaults leave a stage with nothing to do. */
  extraVars?: Record<string, unknown>;
  /** The playbook's shell probes read the kernel: answer them with test/support/host-bin. */
  hostStubs?: boolean;
}

const AMD64 = { os: "linux", arch: "amd64", machine: "x86_64" };

const SCENARIOS: Scenario[] = [
  { name: "dev", facts: AMD64 },
  { name: "production", facts: AMD64 },
  // Its own documented example: with the default `namespaces: []` the restart, waypoint and enable
  // stages have nothing to do.
  { name: "ambient-migration", facts: AMD64, extraVars: { namespaces: ["bookinfo"] } },
  { name: "multicluster-east-west", facts: AMD64 },
  // With the default `namespaces: []` the move stage has nothing to do.
  { name: "upgrade", facts: AMD64, extraVars: { namespaces: ["shop"] } },
  // A Raspberry Pi 5 with Raspberry Pi OS's 4K-page kernel.
  { name: "homelab-k3s", facts: { os: "linux", arch: "arm64", machine: "aarch64" }, hostStubs: true },
];

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await tempDir("runbook-plans-");
});

afterAll(async () => {
  await tmp?.cleanup();
});

let runs = 0;

/** A fresh HOME, stand-in state and (missing) kubeconfig for each plan. */
async function machine(name: string) {
  const root = join(tmp.dir, `${name}-${++runs}`);
  const home = join(root, "home");
  const state = join(root, "state");
  await mkdir(home, { recursive: true });
  await mkdir(state, { recursive: true });
  return { root, home, state, kubeconfig: join(root, "kubeconfig-missing") };
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Whatever the developer's shell sets for runbook, kubectl or the stand-ins is not part of the plan.
    if (v === undefined || /^(RUNBOOK_|KUBECONFIG$|XDG_|FORCE_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

async function plan(s: Scenario, format: "text" | "json") {
  const m = await machine(s.name);
  const facts = { ...s.facts, home: m.home, user: "pi", hostname: "runbook-test", page_size: 4096, cpus: 4 };
  const args = ["plan", `playbooks/${s.name}.yml`, "--format", format];
  for (const [k, v] of Object.entries(facts)) args.push("--fact", `${k}=${v}`);
  if (s.extraVars) args.push("-e", JSON.stringify(s.extraVars));
  const env = {
    ...cleanEnv(),
    HOME: m.home,
    KUBECONFIG: m.kubeconfig,
    PATH: [STUBS, ...(s.hostStubs ? [HOST_STUBS] : []), process.env.PATH].join(":"),
    RUNBOOK_STUB_STATE: m.state,
    NO_COLOR: "1",
  };
  const r = runCli(args, env);
  // Longest first: HOME lies under the machine's folder, which lies under the OS temp folder.
  // The release is not part of what a plan says: a version bump need not touch the goldens.
  const norm = (t: string) =>
    t
      .split(m.home)
      .join("<home>")
      .split(m.root)
      .join("<tmp>")
      .split(REPO)
      .join("<root>")
      .replace(/^( {2}"runbook_version": )"[^"]*"/m, '$1"<version>"');
  // A plan changes nothing: the home folder and the stand-ins' cluster state stay empty.
  const left = [...(await listTree(m.home)), ...(await listTree(m.state))];
  return { code: r.code, stdout: norm(r.stdout), stderr: norm(r.stderr), left };
}

async function golden(file: string, actual: string) {
  const path = join(GOLDEN, file);
  if (UPDATE) await writeFile(path, actual);
  expect(actual).toBe(await readFile(path, "utf8"));
}

describe("bundled playbooks: validate, and the plan as a golden file", () => {
  for (const s of SCENARIOS) {
    // K3s's own probe reads /usr/local/bin/k3s, which no stand-in can replace.
    const k3sHere = s.name === "homelab-k3s" && existsSync("/usr/local/bin/k3s");

    test(`${s.name}.yml passes runbook validate`, () => {
      const r = runCli(["validate", `playbooks/${s.name}.yml`], cleanEnv());
      expect(r.stderr).toBe("");
      expect(r.code, r.stdout).toBe(0);
    });

    test.skipIf(k3sHere)(
      `${s.name}.yml: the text and JSON plans match the golden files, byte for byte, twice`,
      async () => {
        for (const format of ["text", "json"] as const) {
          const first = await plan(s, format);
          expect(first.stderr, first.stdout).toBe("");
          expect(first.code, first.stdout).toBe(0);
          expect(first.left).toEqual([]);
          const second = await plan(s, format);
          expect(second).toEqual(first);
          await golden(`${s.name}.plan.${format === "text" ? "txt" : "json"}`, first.stdout);
          if (format === "json") {
            const doc = JSON.parse(first.stdout) as { status: string; error: string | null };
            expect(doc.status).toBe("ok");
            expect(doc.error).toBeNull();
          }
        }
      },
      60_000,
    );
  }
});
