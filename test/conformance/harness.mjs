// The conformance harness: one way to set a case up, run a side and observe what it did, shared by the
// recorder (record.mjs, Ansible side) and the test (conformance.test.ts, runbook side), so both sides are
// observed identically. Plain JS so Node runs the recorder without a build.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";

export const CASES = resolve(import.meta.dirname, "cases");
const GOLDENS = new Set(["ansible.golden.json", "runbook.golden.json", "case.yml"]);

/** Every case folder with its case.yml read. */
export function loadCases() {
  return readdirSync(CASES)
    .filter((d) => existsSync(join(CASES, d, "case.yml")))
    .sort()
    .map((id) => {
      const dir = join(CASES, id);
      const meta = parse(readFileSync(join(dir, "case.yml"), "utf8")) ?? {};
      return { id, dir, ...meta };
    });
}

/** A temp dir holding the case under case/ and an empty out/; both sides run with it as cwd. */
export function prepare(c) {
  const tmp = mkdtempSync(join(tmpdir(), `conf-${c.id}-`));
  cpSync(c.dir, join(tmp, "case"), { recursive: true, filter: (src) => !GOLDENS.has(src.split("/").pop()) });
  mkdirSync(join(tmp, "out"));
  return tmp;
}

/** What the run left in out/: each entry's type and text (the temp dir written as <TMP>); modes when asked. */
export function snapshot(tmp, withModes) {
  const files = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = relative(join(tmp, "out"), p);
      const st = lstatSync(p);
      const mode = withModes ? { mode: (st.mode & 0o7777).toString(8).padStart(4, "0") } : {};
      if (st.isSymbolicLink()) files[rel] = { link: readlinkSync(p).replaceAll(tmp, "<TMP>") };
      else if (st.isDirectory()) {
        files[rel] = { dir: true, ...mode };
        walk(p);
      } else files[rel] = { content: readFileSync(p, "utf8").replaceAll(tmp, "<TMP>"), ...mode };
    }
  };
  walk(join(tmp, "out"));
  return files;
}

const COUNTS = ["ok", "changed", "skipped", "failed", "ignored", "rescued"];

// No recap line: the playbook was refused before anything ran (null), unless the run crashed.
function counts(line, text, code) {
  if (!line && (code === 2 || code === 4)) return null;
  if (!line) throw new Error(`no recap in the output (exit ${code}):\n${text}`);
  return Object.fromEntries(COUNTS.map((k) => [k, Number(new RegExp(`\\b${k}=(\\d+)`).exec(line)?.[1])]));
}

// Exit codes differ (Ansible 2 for a failed run, runbook 1): compare what they mean.
function status(code, recap) {
  if (recap === null) return "invalid";
  return code === 0 ? "ok" : "failed";
}

/** Run the Ansible twin; its recap as Ansible counts it. */
export function runAnsible(c, tmp) {
  // An empty config of our own, so no ansible.cfg of the machine or user changes the outcome.
  const cfg = join(tmp, ".ansible.cfg");
  writeFileSync(cfg, "[defaults]\n");
  const r = spawnSync(
    "ansible-playbook",
    ["-i", "localhost,", "-c", "local", "case/ansible.yml", "-e", `out=${tmp}/out`, ...(c.ansible_args ?? [])],
    {
      cwd: tmp,
      encoding: "utf8",
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_FORCE_COLOR: "0",
        ANSIBLE_LOCALHOST_WARNING: "false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING: "false",
        ANSIBLE_RETRY_FILES_ENABLED: "false",
        ANSIBLE_STDOUT_CALLBACK: "default",
        ANSIBLE_CONFIG: cfg,
        ANSIBLE_HOME: join(tmp, ".ansible-home"),
        ANSIBLE_LOCAL_TEMP: join(tmp, ".ansible-tmp"),
      },
      timeout: 120_000,
    },
  );
  const text = `${r.stdout}${r.stderr}`;
  const line = text.split("\n").find((l) => /^localhost\s+:\s+ok=/.test(l));
  const recap = counts(line, text, r.status);
  return { outcome: { status: status(r.status, recap), recap, files: snapshot(tmp, c.modes) }, text };
}

/**
 * Run the runbook twin with the given CLI. runbook's recap counts ok, changed and ignored apart; Ansible's `ok`
 * includes the other two, so runbook's is summed into Ansible's convention before comparing.
 */
export function runRunbook(c, tmp, node, cli) {
  const r = spawnSync(
    node,
    [cli, "apply", "case/runbook.yml", "-e", `out=${tmp}/out`, "--output", "plain", ...(c.runbook_args ?? [])],
    { cwd: tmp, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 },
  );
  const text = `${r.stdout}${r.stderr}`;
  const line = text.split("\n").findLast((l) => /^recap\s/.test(l));
  const raw = counts(line, text, r.status);
  const recap = raw && { ...raw, ok: raw.ok + raw.changed + raw.ignored };
  return { outcome: { status: status(r.status, recap), recap, files: snapshot(tmp, c.modes) }, text };
}
