// Preloaded into the CLI by bench/run.js (`node --import`) for one extra run per benchmark, never for the timed
// runs: writes the process's peak RSS (kB, from getrusage) to the file named by RUNBOOK_BENCH_RSS at exit.
import { writeFileSync } from "node:fs";

const out = process.env.RUNBOOK_BENCH_RSS;
if (out) process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
