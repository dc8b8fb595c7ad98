// Benchmark: download and verify large files from a loopback server, showing throughput and
// that memory stays flat whatever the size. Run `npm run build` first, then:
//   node bench/download.mjs              (20 MB, 200 MB and 1000 MB)
//   node bench/download.mjs 50 500       (sizes in MB)
// Traffic goes only to 127.0.0.1; the files are generated, never fetched from anywhere.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { download } from "../dist/engine/io/download.js";
import { chunk, MB } from "./download-data.mjs";

const child = process.argv[2] === "--child";
const sizes = process.argv
  .slice(child ? 3 : 2)
  .map(Number)
  .filter((n) => n > 0);
if (sizes.length === 0) sizes.push(20, 200, 1000);

// Each size runs in a fresh process so that one run's garbage cannot inflate the next one's RSS.
if (!child) {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; one fresh process per size`);
  console.log("size      time     throughput   RSS before   peak RSS   peak heap");
  for (const size of sizes) {
    process.stdout.write(execFileSync(process.execPath, [import.meta.filename, "--child", String(size)]));
  }
  process.exit(0);
}

function digestOf(bytes) {
  const h = createHash("sha256");
  for (let left = bytes; left > 0; left -= MB) h.update(left >= MB ? chunk : chunk.subarray(0, left));
  return h.digest("hex");
}

// The server runs in a worker thread so that serving and downloading each get a core.
const worker = new Worker(new URL("./download-server.mjs", import.meta.url));
const port = await new Promise((resolve) => worker.once("message", resolve));
const origin = `http://127.0.0.1:${port}`;
const dir = await mkdtemp(join(tmpdir(), "runbook-bench-"));

try {
  for (const sizeMb of sizes) {
    const bytes = sizeMb * MB;
    const checksum = `sha256:${digestOf(bytes)}`;
    const dest = join(dir, `file-${sizeMb}`);
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let heap = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      heap = Math.max(heap, m.heapUsed + m.external);
    };
    const sampler = setInterval(sample, 20);
    const t0 = process.hrtime.bigint();
    const r = await download({ url: `${origin}/file?bytes=${bytes}`, dest, checksum, env: {}, retries: 0 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    sample();
    if (r.checksum !== checksum || (await stat(dest)).size !== bytes) throw new Error("verification failed");
    const row = [
      `${sizeMb} MB`.padEnd(9),
      `${seconds.toFixed(2)}s`.padEnd(8),
      `${(sizeMb / seconds).toFixed(0)} MB/s`.padEnd(12),
      `${(before / MB).toFixed(0)} MB`.padEnd(12),
      `${(peak / MB).toFixed(0)} MB`.padEnd(10),
      `${(heap / MB).toFixed(0)} MB`,
    ];
    console.log(row.join(" "));
    await rm(dest, { force: true });
  }
} finally {
  await worker.terminate();
  await rm(dir, { recursive: true, force: true });
}
