import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

const { startFakeKube, writeKubeconfig } = await import("./.bench-tmp/test/support/fake-kube/index.js");
const kube = await startFakeKube();
const dir = "/tmp/prof";
await writeKubeconfig(`${dir}/config`, [{ name: "b", server: kube }]);
writeFileSync(
  `${dir}/info.yml`,
  stringify({ tasks: [{ k8s_info: { kind: "Namespace", name: "default", kubeconfig: `${dir}/config` } }] }),
);
writeFileSync(`${dir}/empty.yml`, "tasks: []\n");
const run = (args) =>
  new Promise((r) => {
    const t0 = performance.now();
    const c = spawn("./node_modules/.bin/node", args, { stdio: "ignore" });
    c.on("close", () => r(performance.now() - t0));
  });
for (let i = 0; i < 3; i++)
  for (const f of ["empty", "info", "p"])
    console.log(f, (await run(["bin/runbook.js", "apply", "-o", "plain", `${dir}/${f}.yml`])).toFixed(0), "ms");
await kube.stop();
