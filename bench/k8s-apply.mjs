// 200 objects (100 ConfigMaps, 50 Deployments, 50 Services, and their Namespace) applied against the
// fake-kube stand-in, first apply and re-apply: the runbook CLI (one k8s step, `runbook apply`, start-up
// included) against `kubectl apply --server-side --field-manager runbook` (start-up included).
//   npm run build && node_modules/.bin/node bench/k8s-apply.mjs            timings
//   node_modules/.bin/node bench/k8s-apply.mjs --requests                  the requests of each, side by side
// BENCH_COUNT (objects, default 200) and BENCH_ROUNDS (default 5) change the size; BENCH_LATENCY_MS the
// stand-in's time per answer (default 0: client overhead only).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { stringify } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const COUNT = Number(process.env.BENCH_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = process.argv.includes("--requests");
// The stand-in answers at once unless told to wait: BENCH_LATENCY_MS=5 models a real API server's few ms.
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
const NODE = join(root, "node_modules/.bin/node");

// The stand-in lives with the tests (TypeScript): compile it to the git-ignored .bench-tmp/.
execFileSync(join(root, "node_modules/.bin/tsc"), [
  ...["-p", join(root, "tsconfig.json"), "--noEmit", "false", "--outDir", join(root, ".bench-tmp")],
  ...["--declaration", "false", "--sourceMap", "false"],
]);

const work = mkdtempSync(join(tmpdir(), "bench-k8s-"));
const deployment = (i) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: `web-${i}`, namespace: "bench", labels: { app: `web-${i}` } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: `web-${i}` } },
    template: {
      metadata: { labels: { app: `web-${i}` } },
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, name: "http" }],
            env: [{ name: "INDEX", value: String(i) }],
          },
        ],
      },
    },
  },
});
const service = (i) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: `web-${i}`, namespace: "bench" },
  spec: { selector: { app: `web-${i}` }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
});
const configMap = (i) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: `cm-${i}`, namespace: "bench", labels: { app: "bench" } },
  data: { index: String(i), payload: "x".repeat(256) },
});
function objects(count) {
  const quarter = Math.floor(count / 4);
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } },
    ...Array.from({ length: count - 2 * quarter }, (_, i) => configMap(i)),
    ...Array.from({ length: quarter }, (_, i) => deployment(i)),
    ...Array.from({ length: quarter }, (_, i) => service(i)),
  ];
}
const writeManifest = (name, objs) => {
  const file = join(work, name);
  writeFileSync(file, objs.map((o) => stringify(o)).join("---\n"));
  return file;
};

// The stand-in runs on a worker thread: its own event loop, as a real API server is its own process.
const worker = new Worker(join(root, "bench/fake-kube-worker.mjs"), {
  workerData: { fakeKube: join(root, ".bench-tmp/test/support/fake-kube/index.js") },
});
const ask = (msg, reply) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== reply) return;
      worker.off("message", on);
      resolve(m);
    };
    worker.on("message", on);
    worker.postMessage(msg);
  });
let serial = 0;
async function withServer(fn) {
  const kubeconfig = join(work, `kubeconfig-${serial++}`);
  await ask({ type: "start", kubeconfig, latencyMs: LATENCY_MS }, "started");
  try {
    return await fn(kubeconfig);
  } finally {
    await ask({ type: "stop" }, "stopped");
  }
}
const requestLog = async () => (await ask({ type: "requests" }, "requests")).log;
const stats = async () => ask({ type: "stats" }, "stats");

// CPU time (user + system) of reaped children, from /proc/self/stat (10 ms ticks): steadier than wall time.
function childCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Spawn, wait, return wall ms, CPU ms and output; fails loudly on a non-zero exit. */
function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const cpu0 = childCpuMs();
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out.slice(-2000)}`));
      else resolve({ ms, cpu: childCpuMs() - cpu0, out });
    });
  });
}

const clients = {
  runbook: (manifest, kubeconfig) => {
    const playbook = join(work, `playbook-${serial}.yml`);
    writeFileSync(playbook, stringify({ tasks: [{ name: "apply", k8s: { src: manifest, kubeconfig } }] }));
    // RUNBOOK_BIN: another build of runbook to time instead of the npm CLI (the single-file binary).
    const bin = process.env.RUNBOOK_BIN;
    const args = ["apply", "-o", "plain", playbook];
    return () =>
      bin ? run(bin, args, { HOME: work }) : run(NODE, [join(root, "bin/runbook.js"), ...args], { HOME: work });
  },
  // The stand-in serves the OpenAPI v3 index kubectl reads to learn that it can leave validation to the
  // server (fieldValidation=Strict), as runbook does. HOME: kubectl's discovery cache (~/.kube/cache) lives there.
  kubectl: (manifest, kubeconfig) => () =>
    run(
      "kubectl",
      ["--kubeconfig", kubeconfig, "apply", "--server-side", "--field-manager", "runbook", "-f", manifest],
      { HOME: work },
    ),
};

const kubectlVersion = (() => {
  try {
    return execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" }).split("\n")[0];
  } catch {
    return undefined;
  }
})();
const names = Object.keys(clients).filter((n) => n !== "kubectl" || kubectlVersion);

if (REQUESTS) {
  // A small set, each client on a fresh stand-in: every request of the first apply and of the re-apply.
  const manifest = writeManifest("small.yaml", [objects(4)[0], configMap(0), deployment(0), service(0)]);
  const stored = {};
  for (const name of names) {
    await withServer(async (kubeconfig) => {
      const apply = clients[name](manifest, kubeconfig);
      for (const phase of ["first apply", "re-apply"]) {
        await apply();
        const log = await requestLog();
        console.log(`\n${name}, ${phase} (${log.length} requests, ${(await stats()).connections} connections so far):`);
        for (const r of log) console.log(`  ${r}`);
      }
      stored[name] = (await ask({ type: "objects" }, "objects")).objects;
    });
  }
  if (stored.kubectl)
    console.log(
      `\nobjects stored (managedFields included; uid, times, resourceVersion, cluster IP aside): ${stored.kubectl === stored.runbook ? "identical" : "DIFFERENT"}`,
      process.env.SHOW ? `\n${stored.kubectl}\n${stored.runbook}` : "",
    );
} else {
  const manifest = writeManifest("manifest.yaml", objects(COUNT));
  const round = async (name) =>
    withServer(async (kubeconfig) => {
      const apply = clients[name](manifest, kubeconfig);
      const first = await apply();
      const requests = (await requestLog()).length;
      const second = await apply();
      const reRequests = (await requestLog()).length;
      return { first, second, requests, reRequests, connections: (await stats()).connections };
    });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await round(n); // warm-up: compile cache, certificate
  // Interleaved rounds: a machine that gets busier shifts both clients alike.
  for (let i = 0; i < ROUNDS; i++) for (const n of names) results[n].push(await round(n));
  console.log(
    `${COUNT} objects + their Namespace, median of ${ROUNDS} interleaved rounds, Node ${process.version}, ` +
      `fake-kube over HTTPS on a worker thread, ${LATENCY_MS} ms per answer, load ${(await import("node:os")).loadavg()[0].toFixed(2)}`,
  );
  const pad = (s, n) => String(s).padStart(n);
  console.log(
    `${"client".padEnd(42)}${pad("first apply", 12)}${pad("cpu", 8)}${pad("re-apply", 10)}${pad("cpu", 8)}${pad("requests", 10)}${pad("re-req", 8)}${pad("conns", 7)}`,
  );
  for (const n of names) {
    const r = results[n];
    const label = n === "kubectl" ? "kubectl apply --server-side" : "runbook apply (one k8s step)";
    const ms = (xs) => `${median(xs).toFixed(0)} ms`;
    console.log(
      `${label.padEnd(42)}${pad(ms(r.map((x) => x.first.ms)), 12)}${pad(ms(r.map((x) => x.first.cpu)), 8)}${pad(ms(r.map((x) => x.second.ms)), 10)}${pad(ms(r.map((x) => x.second.cpu)), 8)}${pad(r[0].requests, 10)}${pad(r[0].reRequests, 8)}${pad(r[0].connections, 7)}`,
    );
  }
  if (kubectlVersion) console.log(`(${kubectlVersion})`);
  else console.log("kubectl: not on PATH, skipped");
}
rmSync(work, { recursive: true, force: true });
await worker.terminate();
