#!/usr/bin/env node
// Per-process cost of the exec adapter: N × `/bin/sh -c true` one after another, each in a fresh Node
// process, through execa (as src/engine/io/exec.ts configured it until issue 17; a dev dependency now), through execa with its
// per-call extras turned off, through node:child_process.spawn, and through the project's adapter (dist/).
// Prints wall, user and system CPU time and peak RSS of the spawning process. Timings are for people.
//
//   node bench/spawn.mjs [N...] [--json]      default N: 100 800 1000
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const JSON_OUT = args.includes("--json");
const counts = args.filter((a) => /^\d+$/.test(a)).map(Number);
const NS = counts.length ? counts : [100, 800, 1000];

// Runs inside the child: `node bench/spawn.mjs --child MODE N`.
async function child(mode, n) {
  const t0 = performance.now();
  if (mode === "spawn") {
    const { spawn } = await import("node:child_process");
    for (let i = 0; i < n; i++)
      await new Promise((res, rej) => {
        const c = spawn("/bin/sh", ["-c", "true"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
        let out = "";
        c.stdout.setEncoding("utf8").on("data", (d) => (out += d));
        c.stderr.setEncoding("utf8").on("data", (d) => (out += d));
        c.on("error", rej);
        c.on("close", res);
      });
  } else if (mode === "adapter") {
    const { localExec } = await import(join(ROOT, "dist", "engine", "io", "exec.js"));
    for (let i = 0; i < n; i++) await localExec.run({ shell: "true", timeoutMs: 60_000 });
  } else {
    const { execa } = await import("execa");
    const opts =
      mode === "execa"
        ? {
            reject: false,
            stripFinalNewline: true,
            detached: true,
            cleanup: true,
            encoding: "utf8",
            stdin: "ignore",
            maxBuffer: 64 * 1024 * 1024,
          }
        : {
            reject: false,
            detached: true,
            cleanup: false,
            encoding: "utf8",
            stdin: "ignore",
            buffer: true,
            lines: false,
            verbose: "none",
            ipc: false,
            serialization: "json",
          };
    for (let i = 0; i < n; i++) await execa("/bin/sh", ["-c", "true"], opts);
  }
  const wall = performance.now() - t0;
  const ru = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      mode,
      n,
      wallMs: wall,
      userMs: ru.userCPUTime / 1000,
      sysMs: ru.systemCPUTime / 1000,
      maxRssMB: ru.maxRSS / 1024,
    }),
  );
}

if (args[0] === "--child") {
  await child(args[1], Number(args[2]));
} else {
  // execa is a dev dependency now, kept for this side-by-side; without it only the spawn rows run.
  const haveExeca = await import("execa").then(
    () => true,
    () => false,
  );
  const modes = haveExeca ? ["execa", "execa-lean", "spawn"] : ["spawn"];
  if (existsSync(join(ROOT, "dist", "engine", "io", "exec.js"))) modes.push("adapter");
  const rows = [];
  for (const n of NS)
    for (const mode of modes) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", mode, String(n)], {
        encoding: "utf8",
        cwd: ROOT,
      });
      if (r.status !== 0) throw new Error(`${mode} ${n}: ${r.stderr}`);
      rows.push(JSON.parse(r.stdout));
    }
  if (JSON_OUT) console.log(JSON.stringify(rows, null, 2));
  else {
    const head = ["spawns", "how", "wall", "per spawn", "user", "sys", "peak RSS"];
    const body = rows.map((r) => [
      String(r.n),
      r.mode,
      `${r.wallMs.toFixed(0)} ms`,
      `${(r.wallMs / r.n).toFixed(2)} ms`,
      `${r.userMs.toFixed(0)} ms`,
      `${r.sysMs.toFixed(0)} ms`,
      `${r.maxRssMB.toFixed(0)} MB`,
    ]);
    const all = [head, ...body];
    const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    for (const r of all) console.log(r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  "));
  }
}
