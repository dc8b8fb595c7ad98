// The same objects applied by `kubectl apply --server-side --field-manager runbook` and by the k8s action,
// each against a fresh stand-in: the same PATCH requests (paths and query) and the same stored objects.
// Needs kubectl on PATH (a development machine has it; CI may not, and then this is skipped).
import { execFile, execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { stringify } from "yaml";
import { deployment, k8s, makeCtx, type TestCluster, testCluster } from "./helpers.js";

const kubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let viaKubectl: TestCluster;
let viaRunbook: TestCluster;
beforeAll(async () => {
  viaKubectl = await testCluster();
  viaRunbook = await testCluster();
});
afterAll(async () => {
  await viaKubectl.stop();
  await viaRunbook.stop();
});

const objects = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "side" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "side" }, data: { mode: "0400" } },
  { ...deployment("web", 2, "side") },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "side" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  },
];

// What differs between any two servers: identities, times, versions, the allocated address.
const SKIP = new Set(["uid", "creationTimestamp", "time", "resourceVersion", "clusterIP", "clusterIPs"]);
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .filter((k) => !SKIP.has(k))
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
const patches = (c: TestCluster) =>
  c.kube.requests
    .filter((r) => r.method === "PATCH")
    .map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`)
    .sort();

test.skipIf(!kubectl)("kubectl and runbook send the same applies and leave the same objects", async () => {
  const file = join(viaKubectl.dir, "objects.yaml");
  await writeFile(file, objects.map((o) => stringify(o)).join("---\n"));
  const argv = ["--kubeconfig", viaKubectl.kubeconfig, "apply", "--server-side", "--field-manager", "runbook"];
  await promisify(execFile)("kubectl", [...argv, "-f", file], { env: { ...process.env, HOME: viaKubectl.dir } });
  await k8s({ src: file, kubeconfig: viaRunbook.kubeconfig }, makeCtx());
  expect(patches(viaRunbook)).toEqual(patches(viaKubectl));
  expect(patches(viaRunbook)[0]).toContain("fieldManager=runbook&fieldValidation=Strict&force=false");
  expect(canonical(viaRunbook.kube.objects())).toEqual(canonical(viaKubectl.kube.objects()));
});
