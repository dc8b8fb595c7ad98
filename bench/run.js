#!/usr/bin/env node
// Engine benchmarks: wall-clock time and peak RSS of the real CLI (process start-up included), side by side with
// ansible-playbook when it is on PATH, in the same run. Timings are for people, never for pass/fail tests.
//
//   npm run bench                      the engine benchmarks (version, empty, shell, shell1000, loop, print, heavy-plan)
//   npm run bench -- shell loop        only benchmarks whose name contains one of the words
//   npm run bench -- all               the engine benchmarks, then every bench/*.mjs
//   npm run bench -- download          bench/download.mjs (any bench/*.mjs whose name matches)
//   options: --runs=N (runbook, default 10)  --long-runs=N (1,000 steps and the heavy plan, default 3)
//            --ansible-runs=N (default 3)  --no-ansible  --keep  --json (one JSON document on stdout)
//            --bundle=FILE (also time a single-file build of the CLI; or RUNBOOK_BUNDLE=FILE)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ansiblePlaybook, HEAVY, LONG, N, PRINTS, runbookPlaybook } from "./lib/playbooks.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, "..");
const CLI = join(ROOT, "bin", "runbook.js");
const RSS_PROBE = join(BENCH_DIR, "lib", "rss-probe.mjs");
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
    "usage: npm run bench -- [all | NAME...] [--runs=N] [--long-runs=N] [--ansible-runs=N] [--no-ansible] [--keep]\n" +
      "                        [--json] [--bundle=FILE]\n" +
      "  NAME filters by substring: version, empty, shell, shell1000, loop, print, heavy-plan, or a bench/*.mjs name",
  );
  process.exit(0);
}
const RUNS = Math.max(1, Number(flag("runs", 10)));
const LONG_RUNS = Math.max(1, Number(flag("long-runs", 3)));
const ANSIBLE_RUNS = Math.max(1, Number(flag("ansible-runs", 3)));
const NO_ANSIBLE = flag("no-ansible", false) === true;
const KEEP = flag("keep", false) === true;
const JSON_OUT = flag("json", false) === true;
const BUNDLE_ARG = flag("bundle", process.env.RUNBOOK_BUNDLE);
const BUNDLE = typeof BUNDLE_ARG === "string" && BUNDLE_ARG !== "" ? resolve(BUNDLE_ARG) : undefined;
const words = argv.filter((a) => !a.startsWith("-"));
const ALL = words.includes("all");
const filters = words.filter((w) => w !== "all");
const wanted = (name) => ALL || filters.length === 0 || filters.some((f) => name.includes(f));
// With --json the tables and progress go to stderr, and stdout holds only the JSON document.
const say = JSON_OUT ? (...a) => console.error(...a) : (...a) => console.log(...a);
const progress = (text) => (JSON_OUT ? process.stderr : process.stdout).write(text);

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
    // Keep the end of the output (a plan of 10,000 steps prints megabytes): checks look at its summary.
    const keep = (d) => {
      out += d;
      if (out.length > 2e6) out = out.slice(-1e6);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
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

// In this order; `empty` also runs whenever a per-step figure needs the start-up cost subtracted. `long`: fewer
// runs (--long-runs). `ansible`: also run the same work through ansible-playbook.
const BENCHES = [
  { name: "version", label: "--version", ansible: true },
  { name: "empty", label: "empty playbook (start-up)", ansible: true },
  { name: "shell", label: `${N} × shell "true"`, ansible: true },
  { name: "shell1000", label: `${LONG.toLocaleString("en-US")} × shell "true"`, long: true },
  { name: "loop", label: `1 shell step, loop over ${N} items`, ansible: true },
  { name: "print", label: `${PRINTS.toLocaleString("en-US")} × print`, ansible: true },
  { name: "heavy-plan", label: `plan of ${HEAVY.toLocaleString("en-US")} steps (when + vars + template)`, long: true },
];

/** The arguments after `node` for one benchmark, and a check of its output. */
function jobFor(b, dir, entry) {
  if (b.name === "version") return { args: [entry, "--version"], check: (out) => /\d+\.\d+\.\d+/.test(out) };
  const file = join(dir, `${b.name}.yml`);
  if (!existsSync(file)) writeFileSync(file, runbookPlaybook(b.name));
  if (b.name === "heavy-plan")
    return { args: [entry, "plan", file], check: (out) => new RegExp(`${HEAVY} steps: `).test(out) };
  return { args: [entry, "apply", "--output", "plain", file], check: (out) => /\nrecap +done /.test(out) };
}

/** Peak RSS (MB) of one more run of the CLI, measured inside it by bench/lib/rss-probe.mjs. */
async function peakRssMb(args, dir) {
  const file = join(dir, "rss.txt");
  rmSync(file, { force: true });
  await timeOnce(NODE, ["--import", RSS_PROBE, ...args], { RUNBOOK_BENCH_RSS: file });
  return existsSync(file) ? Number(readFileSync(file, "utf8")) / 1024 : undefined;
}

function gitCommit() {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? `${r.stdout.trim()}${dirty.stdout.trim() ? " (modified)" : ""}` : undefined;
}

async function engineBenches() {
  const perStep = ["shell", "shell1000", "loop", "print"];
  const needs = (b) => wanted(b.name) || (b.name === "empty" && perStep.some(wanted));
  const selected = BENCHES.filter(needs);
  if (selected.length === 0) return undefined;
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
    console.error("dist/ is missing: run `npm run build` first");
    process.exit(2);
  }
  if (BUNDLE && !existsSync(BUNDLE)) {
    console.error(`--bundle: ${BUNDLE} does not exist`);
    process.exit(2);
  }

  const nodeVersion = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
  const ansible = NO_ANSIBLE ? undefined : which("ansible-playbook");
  const ansibleVersion = ansible
    ? spawnSync(ansible, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].trim()
    : undefined;
  const cpus = os.cpus();
  const load = os.loadavg()[0];
  const machine = {
    cores: os.availableParallelism(),
    cpu: cpus[0]?.model ?? "?",
    os: `${os.platform()} ${os.release()}`,
    node: nodeVersion,
    ansible: ansibleVersion,
    loadBefore: load,
    commit: gitCommit(),
    date: new Date().toISOString(),
  };
  say("runbook engine benchmarks");
  say(`  machine: ${machine.cores} cores (${machine.cpu}), ${machine.os}`);
  say(`  commit:  ${machine.commit ?? "?"}`);
  say(`  node:    ${nodeVersion} (${NODE === LOCAL_NODE ? "node_modules/.bin/node" : NODE})`);
  say(`  ansible: ${ansibleVersion ?? (NO_ANSIBLE ? "skipped (--no-ansible)" : "not on PATH")}`);
  say(`  bundle:  ${BUNDLE ?? "none (--bundle=FILE to time one)"}`);
  say(
    `  load:    ${load.toFixed(2)} (1-min average)${load > machine.cores * 0.5 ? "  ← busy machine: figures will be noisy" : ""}`,
  );
  say(
    `  runs:    ${RUNS} per runbook benchmark (${LONG_RUNS} for the long ones), ${ANSIBLE_RUNS} per Ansible one, after one warm-up each; runbook's interleaved\n`,
  );

  const dir = mkdtempSync(join(os.tmpdir(), "runbook-bench-"));
  try {
    // runbook: one warm-up each, then round after round of every benchmark and the spawn floor, so a machine
    // that gets busier or quieter during the run shifts all figures alike (the derived ones are differences).
    const jobs = selected.map((b) => ({
      b,
      key: b.name,
      label: b.label,
      runs: b.long ? LONG_RUNS : RUNS,
      ...jobFor(b, dir, CLI),
    }));
    if (BUNDLE)
      for (const b of selected.filter((x) => x.name === "version" || x.name === "empty" || x.name === "shell"))
        jobs.push({ b, key: `${b.name}:bundle`, label: `${b.label}, bundle`, runs: RUNS, ...jobFor(b, dir, BUNDLE) });
    const withFloor = selected.some((b) => b.name === "shell" || b.name === "loop" || b.name === "shell1000");
    progress("  runbook  warming up ...");
    for (const j of jobs) {
      const warm = await timeOnce(NODE, j.args, {});
      if (!j.check(warm.out)) throw new Error(`unexpected output from runbook ${j.key}:\n${warm.out.slice(-2000)}`);
    }
    if (withFloor) await spawnShells(N);
    progress(` measuring ${RUNS} rounds:`);
    const wall = Object.fromEntries(jobs.map((j) => [j.key, []]));
    const cpu = Object.fromEntries(jobs.map((j) => [j.key, []]));
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      for (const j of jobs) {
        if (i >= j.runs) continue;
        const r = await timeOnce(NODE, j.args, {});
        wall[j.key].push(r.ms);
        if (r.cpu !== undefined) cpu[j.key].push(r.cpu);
      }
      if (withFloor) floor.push(await spawnShells(N));
      progress(` ${i + 1}`);
    }
    progress("\n  runbook  peak RSS, one more run each ...");
    const results = {};
    for (const j of jobs) {
      const c = cpu[j.key];
      results[j.key] = {
        label: j.label,
        rb: { ...stats(wall[j.key]), cpu: c.length ? median(c) : undefined, rssMb: await peakRssMb(j.args, dir) },
      };
    }
    progress(" done\n");
    const spawnFloor = withFloor ? stats(floor) : undefined;

    if (ansible) {
      const env = {
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_RETRY_FILES_ENABLED: "0",
        ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
        ANSIBLE_LOCALHOST_WARNING: "0",
      };
      for (const b of selected.filter((x) => x.ansible)) {
        let aargs;
        if (b.name === "version") aargs = ["--version"];
        else {
          const file = join(dir, `ansible-${b.name}.yml`);
          writeFileSync(file, ansiblePlaybook(b.name));
          aargs = ["-i", "localhost,", "-c", "local", file];
        }
        progress(`  ansible  ${b.label} ...`);
        const check = (out) => b.name === "version" || /PLAY RECAP/.test(out);
        results[b.name].an = await measure(ansible, aargs, ANSIBLE_RUNS, env, check);
        progress(` ${fmt(results[b.name].an.median)}\n`);
      }
    }

    const report = {
      machine: { ...machine, loadAfter: os.loadavg()[0] },
      runs: RUNS,
      longRuns: LONG_RUNS,
      results,
      spawnFloor,
    };
    report.derived = derive(results, spawnFloor);
    printTables(jobs, results, spawnFloor, report.derived);
    if (!ansible && !NO_ANSIBLE) {
      say("ansible-playbook is not on PATH; to compare side by side install it (for benchmarking only):");
      say("  apt-get update && apt-get install -y ansible-core\n");
    }
    return report;
  } finally {
    if (KEEP) say(`playbooks kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Figures computed from the benchmarks, with their targets (issue 17). `value`/`min` from medians/minimums. */
function derive(results, spawnFloor) {
  const out = [];
  const get = (name, stat, side = "rb") => results[name]?.[side]?.[stat];
  const verdict = (med, min, limit, atLeast) => {
    if (med === undefined || limit === undefined) return "";
    const ok = (v) => (atLeast ? v >= limit : v <= limit);
    return ok(med) ? "ok" : min !== undefined && ok(min) ? "ok at min only" : "MISSED";
  };
  // `pick(stat, side)`; `withAnsible`: pick also reads Ansible's side ("an"), for the same figure of its run.
  const row = (label, unit, pick, limit, target, { atLeast = false, withAnsible = false } = {}) => {
    const value = pick("median");
    const min = pick("min");
    const ansible = withAnsible ? pick("median", "an") : undefined;
    if (value === undefined) return;
    out.push({ label, unit, value, min, ansible, target, verdict: verdict(value, min, limit, atLeast) });
  };
  const perStep = (name, count) => (st, side) => {
    const v = get(name, st, side);
    const e = get("empty", st, side);
    return v === undefined || e === undefined ? undefined : (v - e) / count;
  };
  row("--version", "ms", (st, side) => get("version", st, side), 150, "≤ 150 ms", { withAnsible: true });
  row("start-up (empty playbook)", "ms", (st, side) => get("empty", st, side), 80, "≤ 80 ms", { withAnsible: true });
  row("start-up, bundle", "ms", (st) => get("empty:bundle", st), 80, "≤ 80 ms");
  row(`${N} shell steps incl. start-up`, "ms", (st, side) => get("shell", st, side), 300, "≤ 300 ms", {
    withAnsible: true,
  });
  row(`${N} shell steps, bundle`, "ms", (st) => get("shell:bundle", st), 300, "≤ 300 ms");
  if (results.shell?.an)
    row(
      "ansible / runbook, 100 shell steps",
      "×",
      (st) => (st === "median" ? get("shell", "median", "an") / get("shell", "median") : undefined),
      60,
      "≥ 60×",
      { atLeast: true },
    );
  row(
    `${LONG} / ${N} shell steps (wall)`,
    "×",
    (st) => {
      const a = get("shell1000", st);
      const b = get("shell", st);
      return a === undefined || b === undefined ? undefined : a / b;
    },
    10.5,
    "≤ 10.5×",
  );
  row(
    `peak RSS, ${LONG} shell steps`,
    "MB",
    (st) => (st === "median" ? get("shell1000", "rssMb") : undefined),
    100,
    "< 100 MB",
  );
  row(`peak RSS, ${N} shell steps`, "MB", (st) => (st === "median" ? get("shell", "rssMb") : undefined));
  for (const [name, count, what] of [
    ["shell", N, "shell step"],
    ["shell1000", LONG, `shell step (${LONG})`],
    ["loop", N, "loop item"],
  ]) {
    const per = perStep(name, count);
    row(`per ${what} (minus start-up)`, "ms", per, undefined, undefined, { withAnsible: name !== "shell1000" });
    if (spawnFloor && results[name])
      row(
        "  overhead above the shell spawn",
        "ms",
        (st, side) => {
          const v = per(st, side);
          return v === undefined ? undefined : v - spawnFloor[st] / N;
        },
        1,
        "≤ 1 ms",
        { withAnsible: name !== "shell1000" },
      );
  }
  row("per print step (minus start-up)", "ms", perStep("print", PRINTS), undefined, undefined, { withAnsible: true });
  row(`plan of ${HEAVY.toLocaleString("en-US")} heavy steps`, "ms", (st) => get("heavy-plan", st), 1000, "≤ 1 s");
  row(
    `peak RSS, plan of ${HEAVY.toLocaleString("en-US")} heavy steps`,
    "MB",
    (st) => (st === "median" ? get("heavy-plan", "rssMb") : undefined),
    150,
    "≤ 150 MB",
  );
  if (spawnFloor) row("one /bin/sh -c true from node", "ms", (st) => spawnFloor[st] / N);
  return out;
}

function printTables(jobs, results, spawnFloor, derived) {
  const mb = (v) => (v === undefined ? "–" : `${v.toFixed(0)} MB`);
  const rows = [
    ["wall clock", "runbook median", "min", "cpu", "peak RSS", "ansible median", "min", "cpu", "ansible / runbook"],
  ];
  for (const j of jobs) {
    const { rb, an } = results[j.key];
    rows.push([
      j.label,
      fmt(rb.median),
      fmt(rb.min),
      fmt(rb.cpu),
      mb(rb.rssMb),
      an ? fmt(an.median) : "–",
      an ? fmt(an.min) : "–",
      an ? fmt(an.cpu) : "–",
      an ? `${(an.median / rb.median).toFixed(1)}×` : "–",
    ]);
  }
  if (spawnFloor)
    rows.push([
      `${N} × /bin/sh -c true from node`,
      fmt(spawnFloor.median),
      fmt(spawnFloor.min),
      "",
      "",
      "",
      "",
      "",
      "",
    ]);
  say(`\n${table(rows)}\n`);
  const show = (d, v) =>
    v === undefined
      ? "–"
      : d.unit === "MB"
        ? mb(v)
        : d.unit === "×"
          ? `${v.toFixed(1)}×`
          : v < 10
            ? fmtFine(v)
            : fmt(v);
  const drows = [["derived", "runbook median", "min", "ansible median", "target", ""]];
  for (const d of derived)
    drows.push([d.label, show(d, d.value), show(d, d.min), show(d, d.ansible), d.target ?? "", d.verdict]);
  if (drows.length > 1) say(`${table(drows)}\n`);
}

/** Colleagues' benchmarks: bench/*.mjs, run with `all` or when a filter names them. */
async function scriptBenches() {
  const scripts = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const chosen = scripts.filter((f) => ALL || filters.some((w) => basename(f, ".mjs").includes(w)));
  for (const f of chosen) {
    say(`\n== bench/${f}`);
    const code = await new Promise((res) => {
      const c = spawn(NODE, [join(BENCH_DIR, f)], {
        stdio: ["inherit", JSON_OUT ? process.stderr : "inherit", "inherit"],
      });
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

const report = await engineBenches();
if (JSON_OUT && report) console.log(JSON.stringify(report, null, 2));
await scriptBenches();
