// Apply 200 ConfigMaps in one k8s step against the fake-kube stand-in, and the same with
// `kubectl apply --server-side` when a kubectl is on PATH. Run: npm run build && node bench/k8s-apply.mjs
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const COUNT = Number(process.env.BENCH_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// The stand-in lives with the tests (TypeScript): compile it, once, to the git-ignored .bench-tmp/.
execFileSync(join(root, "node_modules/.bin/tsc"), [
  "-p",
  join(root, "tsconfig.json"),
  "--noEmit",
  "false",
  "--outDir",
  join(root, ".bench-tmp"),
  "--declaration",
  "false",
  "--sourceMap",
  "false",
]);
const { k8sAction } = await import(join(root, "dist/engine/actions/k8s.js"));
const { localFs } = await import(join(root, "dist/engine/io/fs.js"));
const { localExec } = await import(join(root, "dist/engine/io/exec.js"));
const { forgetClients } = await import(join(root, "dist/engine/io/kube.js"));

const work = mkdtempSync(join(tmpdir(), "bench-k8s-"));
const objects = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } },
  ...Array.from({ length: COUNT }, (_, i) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${i}`, namespace: "bench", labels: { app: "bench" } },
    data: { index: String(i), payload: "x".repeat(256) },
  })),
];
const manifest = join(work, "manifest.yaml");
const { stringify } = await import("yaml");
writeFileSync(manifest, objects.map((o) => stringify(o)).join("---\n"));

const ctx = (kubeconfig) => ({
  exec: localExec,
  fs: localFs,
  step: { id: "1", name: "bench", action: "k8s", chain: [], depth: 0 },
  baseDir: work,
  playbookDir: work,
  env: {},
  become: false,
  noLog: false,
  dryRun: false,
  signal: new AbortController().signal,
  vars: {},
  render: (t) => t,
  resolveTemplate: async (s) => join(work, s),
  output: () => {},
  progress: () => {},
  cacheDir: work,
  processEnv: { HOME: work, KUBECONFIG: kubeconfig },
});

// The stand-in runs on a worker thread: on its own event loop, as a real API server is in its own process.
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
  await ask({ type: "start", kubeconfig }, "started");
  try {
    return await fn(kubeconfig);
  } finally {
    await ask({ type: "stop" }, "stopped");
  }
}
const requestCount = async () => (await ask({ type: "requests" }, "requests")).count;

async function time(fn) {
  const start = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out };
}

async function runbookRound() {
  forgetClients();
  return withServer(async (kubeconfig) => {
    const args = k8sAction.schema.parse({ src: "manifest.yaml" });
    const first = await time(() => k8sAction.run(args, ctx(kubeconfig)));
    const requests = await requestCount();
    const second = await time(() => k8sAction.run(args, ctx(kubeconfig)));
    if (!first.out.changed || second.out.changed) throw new Error("unexpected changed flags");
    return { create: first.ms, reapply: second.ms, requests };
  });
}

const kubectl = (() => {
  try {
    return execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" }).split("\n")[0];
  } catch {
    return undefined;
  }
})();

async function kubectlRound() {
  return withServer(async (kubeconfig) => {
    // --validate=false: the stand-in serves no OpenAPI document, and runbook does not validate client-side either.
    const argv = ["--kubeconfig", kubeconfig, "apply", "--server-side", "--validate=false", "-f", manifest];
    const run = () => promisify(execFile)("kubectl", argv, { env: { ...process.env, HOME: work } });
    const first = await time(run);
    const requests = await requestCount();
    const second = await time(run);
    return { create: first.ms, reapply: second.ms, requests };
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(name, round) {
  await round(); // warm-up: JIT, certificate, kubectl's discovery cache
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  const create = median(rounds.map((r) => r.create));
  const reapply = median(rounds.map((r) => r.reapply));
  const line = `${name.padEnd(34)} create ${create.toFixed(0).padStart(5)} ms   re-apply ${reapply.toFixed(0).padStart(5)} ms   requests ${rounds[0].requests}`;
  console.log(line);
}

console.log(
  `${COUNT} ConfigMaps + 1 Namespace, median of ${ROUNDS} rounds, Node ${process.version}, fake-kube over HTTPS on a worker thread`,
);
await measure("runbook k8s (one step)", runbookRound);
if (kubectl) await measure(`kubectl apply --server-side`, kubectlRound);
else console.log("kubectl: not on PATH, skipped");
if (kubectl) console.log(`(${kubectl})`);
rmSync(work, { recursive: true, force: true });
await worker.terminate();
