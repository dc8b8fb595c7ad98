// The single-file binaries against the npm-installed CLI: size on disk and start-up (`--version`,
// `plan playbooks/dev.yml`), wall clock from spawn to exit. Needs `npm run build && npm run build:binaries`.
//   npm run bench -- binaries [--runs=N]
// The npm CLI is installed from `npm pack` into a temp prefix (`npm install -g --prefix`), run on the project's
// Node 24 as its `#!/usr/bin/env node` finds it. The arm64 binary runs under qemu-aarch64-static when present:
// emulated, so its times say nothing about a real Pi; they are shown to prove it starts, not how fast.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const NODE = join(ROOT, "node_modules", ".bin", "node");
const runsArg = process.argv.find((a) => a.startsWith("--runs="));
const RUNS = runsArg ? Math.max(1, Number(runsArg.slice(7))) : 10;
const env = { ...process.env, NO_COLOR: "1", PATH: `${dirname(NODE)}${delimiter}${process.env.PATH}` };

const tmp = mkdtempSync(join(os.tmpdir(), "runbook-bench-bin-"));
const work = join(tmp, "work");
execFileSync("mkdir", ["-p", work]);
execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", tmp], { cwd: ROOT, env });
const tgz = join(
  tmp,
  readdirSync(tmp).find((f) => f.endsWith(".tgz")),
);
const prefix = join(tmp, "prefix");
execFileSync("npm", ["install", "-g", "--prefix", prefix, tgz, "--prefer-offline", "--no-audit", "--no-fund"], {
  env,
  stdio: "ignore",
});

const du = (p) => Number(execFileSync("du", ["-sb", p], { encoding: "utf8" }).split("\t")[0]);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const qemu = ["/usr/bin/qemu-aarch64-static", "/usr/local/bin/qemu-aarch64-static"].find((p) => existsSync(p));
const subjects = [
  {
    name: "npm CLI (global install)",
    cmd: [join(prefix, "bin", "runbook")],
    size: `${mb(du(join(prefix, "lib", "node_modules", "runbook")))} + Node ${mb(statSync(execFileSync("readlink", ["-f", NODE], { encoding: "utf8" }).trim()).size)}`,
  },
  {
    name: "runbook-linux-x64",
    cmd: [join(ROOT, "dist", "bin", "runbook-linux-x64")],
    size: mb(statSync(join(ROOT, "dist", "bin", "runbook-linux-x64")).size),
  },
];
if (qemu)
  subjects.push({
    name: "runbook-linux-arm64 (qemu)",
    cmd: [qemu, "-L", "/usr/aarch64-linux-gnu", join(ROOT, "dist", "bin", "runbook-linux-arm64")],
    size: mb(statSync(join(ROOT, "dist", "bin", "runbook-linux-arm64")).size),
  });
const cases = [["--version"], ["plan", "playbooks/dev.yml"]];

const times = new Map();
const time = (s, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(s.cmd[0], [...s.cmd.slice(1), ...args], { cwd: work, env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${s.name} ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
// One warm-up each (the binaries unpack their files on the first run, the npm CLI fills its compile cache).
for (const s of subjects) for (const c of cases) time(s, c);
// Interleaved, so a machine that gets busier shifts every figure alike.
for (let i = 0; i < RUNS; i++)
  for (const s of subjects)
    for (const c of cases) {
      const k = `${s.name}\0${c.join(" ")}`;
      times.set(k, [...(times.get(k) ?? []), time(s, c)]);
    }

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${RUNS} runs each, median (min) wall ms; load average ${os.loadavg()[0].toFixed(1)}\n`);
console.log(`| | size | ${cases.map((c) => `\`${c.join(" ")}\``).join(" | ")} |`);
console.log(`| --- | --- | ${cases.map(() => "---").join(" | ")} |`);
for (const s of subjects) {
  const cells = cases.map((c) => {
    const xs = times.get(`${s.name}\0${c.join(" ")}`);
    return `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)})`;
  });
  console.log(`| ${s.name} | ${s.size} | ${cells.join(" | ")} |`);
}
rmSync(tmp, { recursive: true, force: true });
