import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";

const { startFakeKube, writeKubeconfig } = await import("./.bench-tmp/test/support/fake-kube/index.js");
const kube = await startFakeKube();
const dir = "/tmp/prof";
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
await writeKubeconfig(`${dir}/config`, [{ name: "b", server: kube }]);
const objs = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } },
  ...Array.from({ length: 200 }, (_, i) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${i}`, namespace: "bench" },
    data: { x: "y".repeat(256) },
  })),
];
writeFileSync(`${dir}/m.yaml`, objs.map((o) => stringify(o)).join("---\n"));
writeFileSync(`${dir}/p.yml`, stringify({ tasks: [{ k8s: { src: `${dir}/m.yaml`, kubeconfig: `${dir}/config` } }] }));
const run = (args) =>
  new Promise((r) => {
    const t0 = performance.now();
    const c = spawn("./node_modules/.bin/node", args, { stdio: "inherit" });
    c.on("close", () => r(performance.now() - t0));
  });
for (const phase of ["first", "again"])
  console.log(
    phase,
    (
      await run([
        ...(process.env.PROF ? ["--cpu-prof", `--cpu-prof-dir=${dir}/prof-${phase}`] : []),
        "bin/runbook.js",
        "apply",
        "-o",
        "plain",
        `${dir}/p.yml`,
      ])
    ).toFixed(0),
    "ms",
  );
await kube.stop();
