#!/usr/bin/env node
// Engine benchmarks: wall-clock time of the real CLI (process start-up included), side by side with
// ansible-playbook when it is on PATH. Timings are for people, never for pass/fail tests.
//
//   npm run bench                      the engine benchmarks (version, empty, shell, loop, print)
//   npm run bench -- shell loop        only benchmarks whose name contains one of the words
//   npm run bench -- all               the engine benchmarks, then every bench/*.mjs
//   npm run bench -- download          bench/download.mjs (any bench/*.mjs whose name matches)
//   options: --runs=N (runbook, default 10)  --ansible-runs=N (default 3)  --no-ansible  --keep
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, "..");
const CLI = join(ROOT, "bin", "runbook.js");
// The project pins its Node as a dev dependency; prefer it even when this script runs under another node.
const LOCAL_NODE = join(ROOT, "node_modules", ".bin", "node");
const NODE = existsSync(LOCAL_NODE) ? LOCAL_NODE : process.execPath;

// ---------------------------------------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const a = argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return dflt;
  return a.includes("=") ? a.slice(a.indexOf("=") + 1) : true;
};
if (flag("help", false) || flag("h", false)) {
  console.log(
    "usage: npm run bench -- [all | NAME...] [--runs=N] [--ansible-runs=N] [--no-ansible] [--keep]\n" +
      "  NAME filters by substring: version, empty, shell, loop, print, or a bench/*.mjs script name",
  );
  process.exit(0);
}
const RUNS = Math.max(1, Number(flag("runs", 10)));
const ANSIBLE_RUNS = Math.max(1, Number(flag("ansible-runs", 3)));
const NO_ANSIBLE = flag("no-ansible", false) === true;
const KEEP = flag("keep", false) === true;
const words = argv.filter((a) => !a.startsWith("-"));
const ALL = words.includes("all");
const filters = words.filter((w) => w !== "all");
const wanted = (name) => ALL || filters.length === 0 || filters.some((f) => name.includes(f));

// ---------------------------------------------------------------------------------------------- playbooks

const N = 100;
const PRINTS = 1000;

function runbookPlaybook(kind) {
  const head = [`name: bench ${kind}`, "tasks:"];
  const body = [];
  if (kind === "empty") return "name: bench empty\ntasks: []\n";
  if (kind === "shell") for (let i = 0; i < N; i++) body.push(`  - name: task ${i}`, '    shell: "true"');
  if (kind === "loop")
    body.push("  - name: loop", '    shell: "true {{ item }}"', `    loop: [${range(N).join(", ")}]`);
  if (kind === "print") for (let i = 0; i < PRINTS; i++) body.push(`  - name: print ${i}`, `    print: "message ${i}"`);
  return `${[...head, ...body].join("\n")}\n`;
}

// The shape of ansible.md §5: one play on localhost, no facts, one task per step.
function ansiblePlaybook(kind) {
  const head = [`- name: bench ${kind}`, "  hosts: localhost", "  gather_facts: false", "  tasks:"];
  const body = [];
  if (kind === "empty") return `${[...head.slice(0, 3), "  tasks: []"].join("\n")}\n`;
  if (kind === "shell")
    for (let i = 0; i < N; i++) body.push(`    - name: task ${i}`, '      ansible.builtin.shell: "true"');
  if (kind === "loop")
    body.push(
      "    - name: loop",
      '      ansible.builtin.shell: "true {{ item }}"',
      `      loop: "{{ range(${N}) | list }}"`,
    );
  if (kind === "print")
    for (let i = 0; i < PRINTS; i++)
      body.push(`    - name: print ${i}`, "      ansible.builtin.debug:", `        msg: "message ${i}"`);
  return `${[...head, ...body].join("\n")}\n`;
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}

// ---------------------------------------------------------------------------------------------- timing

// CPU time (user + system) of reaped children, from /proc/self/stat (Linux; clock ticks, usually 10 ms). It
// counts the CLI and every process it waited for, and is far steadier than wall time on a busy machine.
const TICK_MS = 10;
function childCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields 16 and 17 of stat(5) are cutime and cstime; f[0] is field 3
    return (Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Spawn a command, wait for it to exit, return wall and CPU milliseconds. Fails loudly on a non-zero exit. */
function timeOnce(cmd, args, env) {
  return new Promise((res, rej) => {
    const cpu0 = childCpuMs();
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      if (out.length < 1e6) out += d;
    });
    child.stderr.on("data", (d) => {
      if (out.length < 1e6) out += d;
    });
    child.on("error", rej);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu1 = childCpuMs();
      if (code !== 0) rej(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out.slice(-2000)}`));
      else res({ ms, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0, out });
    });
  });
}

/** One warm-up run, then `runs` timed runs. */
async function measure(cmd, args, runs, env = {}, check = () => true) {
  const warm = await timeOnce(cmd, args, env);
  if (!check(warm.out)) throw new Error(`unexpected output from ${cmd} ${args.join(" ")}:\n${warm.out.slice(-2000)}`);
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeOnce(cmd, args, env);
    times.push(r.ms);
    if (r.cpu !== undefined) cpu.push(r.cpu);
  }
  return { ...stats(times), cpu: cpu.length ? stats(cpu).median : undefined };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function stats(times) {
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times.length };
}

/**
 * `count` × `/bin/sh -c true`, one after another, spawned from this process with node:child_process:
 * the floor for a shell step. Output is piped and read, as any runner that reports it must.
 */
function spawnShells(count) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    let left = count;
    const next = () => {
      if (left-- === 0) return res(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = spawn("/bin/sh", ["-c", "true"], { stdio: ["ignore", "pipe", "pipe"] });
      c.stdout.on("data", () => {});
      c.stderr.on("data", () => {});
      c.on("error", rej);
      c.on("close", next);
    };
    next();
  });
}

// ---------------------------------------------------------------------------------------------- output

const fmt = (ms) => (ms === undefined ? "–" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const fmtFine = (ms) => (ms === undefined ? "–" : `${ms.toFixed(2)} ms`);

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function which(cmd) {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------- main

// In this order; `empty` also runs whenever a per-step figure needs the start-up cost subtracted.
const BENCHES = [
  { name: "version", label: "--version" },
  { name: "empty", label: "empty playbook (start-up)" },
  { name: "shell", label: `${N} × shell "true"` },
  { name: "loop", label: `1 shell step, loop over ${N} items` },
  { name: "print", label: `${PRINTS} × print` },
];

async function engineBenches() {
  const needs = (b) => wanted(b.name) || (b.name === "empty" && ["shell", "loop", "print"].some(wanted));
  const selected = BENCHES.filter(needs);
  if (selected.length === 0) return;
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
    console.error("dist/ is missing: run `npm run build` first");
    process.exit(2);
  }

  const nodeVersion = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
  const ansible = NO_ANSIBLE ? undefined : which("ansible-playbook");
  const ansibleVersion = ansible
    ? spawnSync(ansible, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].trim()
    : undefined;
  const cpus = os.cpus();
  console.log("runbook engine benchmarks");
  console.log(
    `  machine: ${os.availableParallelism()} cores (${cpus[0]?.model ?? "?"}), ${os.platform()} ${os.release()}`,
  );
  console.log(`  node:    ${nodeVersion} (${NODE === LOCAL_NODE ? "node_modules/.bin/node" : NODE})`);
  console.log(`  ansible: ${ansibleVersion ?? (NO_ANSIBLE ? "skipped (--no-ansible)" : "not on PATH")}`);
  const load = os.loadavg()[0];
  console.log(
    `  load:    ${load.toFixed(2)} (1-min average)${load > os.availableParallelism() * 0.5 ? "  ← busy machine: figures will be noisy" : ""}`,
  );
  console.log(
    `  runs:    ${RUNS} per runbook benchmark, ${ANSIBLE_RUNS} per Ansible one, after one warm-up each; runbook's interleaved\n`,
  );

  const dir = mkdtempSync(join(os.tmpdir(), "runbook-bench-"));
  try {
    // runbook: one warm-up each, then round after round of every benchmark and the spawn floor, so a machine
    // that gets busier or quieter during the run shifts all figures alike (the derived ones are differences).
    const jobs = selected.map((b) => {
      if (b.name === "version") return { b, args: [CLI, "--version"], check: (out) => /\d+\.\d+\.\d+/.test(out) };
      const file = join(dir, `${b.name}.yml`);
      writeFileSync(file, runbookPlaybook(b.name));
      return { b, args: [CLI, "apply", "--output", "plain", file], check: (out) => /\nrecap +done /.test(out) };
    });
    const withFloor = selected.some((b) => b.name === "shell" || b.name === "loop");
    process.stdout.write("  runbook  warming up ...");
    for (const j of jobs) {
      const warm = await timeOnce(NODE, j.args, {});
      if (!j.check(warm.out)) throw new Error(`unexpected output from runbook ${j.b.name}:\n${warm.out.slice(-2000)}`);
    }
    if (withFloor) await spawnShells(N);
    process.stdout.write(` measuring ${RUNS} rounds:`);
    const wall = Object.fromEntries(jobs.map((j) => [j.b.name, []]));
    const cpu = Object.fromEntries(jobs.map((j) => [j.b.name, []]));
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      for (const j of jobs) {
        const r = await timeOnce(NODE, j.args, {});
        wall[j.b.name].push(r.ms);
        if (r.cpu !== undefined) cpu[j.b.name].push(r.cpu);
      }
      if (withFloor) floor.push(await spawnShells(N));
      process.stdout.write(` ${i + 1}`);
    }
    process.stdout.write("\n");
    const results = {};
    for (const j of jobs) {
      const c = cpu[j.b.name];
      results[j.b.name] = { rb: { ...stats(wall[j.b.name]), cpu: c.length ? median(c) : undefined } };
    }
    const spawnFloor = withFloor ? stats(floor) : undefined;

    if (ansible) {
      const env = {
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_RETRY_FILES_ENABLED: "0",
        ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
        ANSIBLE_LOCALHOST_WARNING: "0",
      };
      for (const b of selected) {
        let aargs;
        if (b.name === "version") aargs = ["--version"];
        else {
          const file = join(dir, `ansible-${b.name}.yml`);
          writeFileSync(file, ansiblePlaybook(b.name));
          aargs = ["-i", "localhost,", "-c", "local", file];
        }
        process.stdout.write(`  ansible  ${b.label} ...`);
        const check = (out) => b.name === "version" || /PLAY RECAP/.test(out);
        results[b.name].an = await measure(ansible, aargs, ANSIBLE_RUNS, env, check);
        process.stdout.write(` ${fmt(results[b.name].an.median)}\n`);
      }
    }

    // ---- the table
    const rows = [["wall clock", "runbook median", "min", "cpu", "ansible median", "min", "cpu", "ansible / runbook"]];
    for (const b of selected) {
      const { rb, an } = results[b.name];
      rows.push([
        b.label,
        fmt(rb.median),
        fmt(rb.min),
        fmt(rb.cpu),
        an ? fmt(an.median) : "–",
        an ? fmt(an.min) : "–",
        an ? fmt(an.cpu) : "–",
        an ? `${(an.median / rb.median).toFixed(1)}×` : "–",
      ]);
    }
    if (spawnFloor)
      rows.push([`${N} × /bin/sh -c true from node`, fmt(spawnFloor.median), fmt(spawnFloor.min), "", "", "", "", ""]);
    console.log(`\n${table(rows)}\n`);

    // ---- derived figures and targets. On a busy machine the minimum is the steadier figure, so both are shown.
    const derived = [["derived", "runbook median", "min", "ansible median", "target", ""]];
    const verdict = (med, min, limit) =>
      med === undefined ? "" : med <= limit ? "ok" : min <= limit ? "ok at min only" : "MISSED";
    const row = (label, pick, f, limit, target) => {
      const med = pick("median");
      const min = pick("min");
      const an = pick("median", "an");
      derived.push([label, f(med), f(min), f(an), target ?? "", limit === undefined ? "" : verdict(med, min, limit)]);
    };
    const get = (name, stat, side = "rb") => results[name]?.[side]?.[stat];
    if (results.version) row("--version", (st, side) => get("version", st, side), fmt, 150, "< 150 ms");
    if (results.shell)
      row(`${N} shell steps incl. start-up`, (st, side) => get("shell", st, side), fmt, 500, "< 500 ms");
    for (const name of ["shell", "loop"]) {
      if (!results[name] || !results.empty) continue;
      const per = (st, side) => {
        const v = get(name, st, side);
        const e = get("empty", st, side);
        return v === undefined || e === undefined ? undefined : (v - e) / N;
      };
      const what = name === "loop" ? "loop item" : "shell step";
      row(`per ${what} (minus start-up)`, per, fmtFine);
      if (spawnFloor) {
        const over = (st, side) => {
          const v = per(st, side);
          return v === undefined ? undefined : v - spawnFloor[st] / N;
        };
        row("  overhead above the shell spawn", over, fmtFine, 5, "< 5 ms");
      }
    }
    if (results.print && results.empty) {
      const per = (st, side) => {
        const v = get("print", st, side);
        const e = get("empty", st, side);
        return v === undefined || e === undefined ? undefined : (v - e) / PRINTS;
      };
      row("per print step (minus start-up)", per, fmtFine);
    }
    if (spawnFloor)
      derived.push([
        "one /bin/sh -c true from node",
        fmtFine(spawnFloor.median / N),
        fmtFine(spawnFloor.min / N),
        "",
        "",
        "",
      ]);
    if (derived.length > 1) console.log(`${table(derived)}\n`);

    if (!ansible && !NO_ANSIBLE) {
      console.log("ansible-playbook is not on PATH; to compare side by side install it (for benchmarking only):");
      console.log("  apt-get update && apt-get install -y ansible-core\n");
    }
  } finally {
    if (KEEP) console.log(`playbooks kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Colleagues' benchmarks: bench/*.mjs, run with `all` or when a filter names them. */
async function scriptBenches() {
  const scripts = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const chosen = scripts.filter((f) => ALL || filters.some((w) => basename(f, ".mjs").includes(w)));
  for (const f of chosen) {
    console.log(`\n== bench/${f}`);
    const code = await new Promise((res) => {
      const c = spawn(NODE, [join(BENCH_DIR, f)], { stdio: "inherit" });
      c.on("close", res);
      c.on("error", () => res(1));
    });
    if (code !== 0) {
      console.error(`bench/${f} exited ${code}`);
      process.exitCode = 1;
    }
  }
  const known = [...BENCHES.map((b) => b.name), ...scripts.map((f) => basename(f, ".mjs"))];
  const unmatched = filters.filter((w) => !known.some((k) => k.includes(w)));
  if (unmatched.length) {
    console.error(`no benchmark matches ${unmatched.join(", ")}; known: ${known.join(", ")}`);
    process.exitCode = 2;
  }
}

await engineBenches();
await scriptBenches();
