import { spawn } from "node:child_process";

const { startFakeKube, writeKubeconfig } = await import("./.bench-tmp/test/support/fake-kube/index.js");
const { Worker } = await import("node:worker_threads");
const kube = await startFakeKube();
const dir = "/tmp/prof";
await writeKubeconfig(`${dir}/config`, [{ name: "b", server: kube }]);
const run = (args) =>
  new Promise((r) => {
    const t0 = performance.now();
    let out = "";
    const c = spawn("./node_modules/.bin/node", args);
    c.stdout.on("data", (d) => (out += d));
    c.on("close", () => r([performance.now() - t0, out]));
  });
for (let i = 0; i < 4; i++) {
  const cpu0 = process.cpuUsage();
  const [ms, out] = await run(["bin/runbook.js", "apply", "-o", "json", `${dir}/p.yml`]);
  const cpu = process.cpuUsage(cpu0);
  console.log("stand-in cpu", ((cpu.user + cpu.system) / 1000).toFixed(0));
  const ends = out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.kind === "step-end");
  console.log(
    "wall",
    ms.toFixed(0),
    "step",
    ends.map((e) => e.durationMs),
  );
}
await kube.stop();
