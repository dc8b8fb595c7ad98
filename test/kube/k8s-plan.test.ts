import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort, writeKubeconfig } from "../support/fake-kube/index.js";
import type { FakeKube } from "../support/fake-kube/server.js";
import { k8s, k8sPlan, makeCtx, type TestCluster, testCluster } from "./helpers.js";

const fixtures = join(import.meta.dirname, "../fixtures/kube");
const cm = (name: string, data: Record<string, string>, namespace?: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, ...(namespace ? { namespace } : {}) },
  data,
});

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
  await k8s(
    { definition: [cm("same", { a: "1" }), cm("edited", { a: "1", gone: "x" })], kubeconfig: c.kubeconfig },
    makeCtx(),
  );
});
afterAll(() => c.stop());

describe("plan (runbook plan / dry run)", () => {
  test("a server-side dry run says created/configured/unchanged with a compact diff, and changes nothing", async () => {
    const definition = [cm("same", { a: "1" }), cm("edited", { a: "2", added: "y" }), cm("new", { a: "1" })];
    const before = c.kube.objects().length;
    const info = await k8sPlan({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    expect(info.summary).toBe(
      'apply 3 objects to context "test" (server-side dry run: 1 unchanged, 1 configured, 1 created)',
    );
    expect(info.details).toEqual([
      "ConfigMap default/same: unchanged",
      "ConfigMap default/edited: configured",
      '    ~ data.a: "1" → "2"',
      '    + data.added: "y"',
      "    - data.gone",
      "ConfigMap default/new: created",
    ]);
    expect(info.willChange).toBe(true);
    expect(c.kube.objects().length).toBe(before);
    const patches = c.kube.requests.filter((r) => r.method === "PATCH" && r.path.includes("/configmaps/"));
    expect(patches.slice(-3).every((r) => r.query.dryRun === "All")).toBe(true);
  });

  test("objects whose namespace or CRD the step itself creates are shown as created", async () => {
    const info = await k8sPlan({ src: "crd-and-cr.yaml", kubeconfig: c.kubeconfig }, makeCtx({ baseDir: fixtures }));
    expect(info.details).toEqual([
      "CustomResourceDefinition widgets.example.com: created",
      "Namespace shop: created",
      "Widget shop/first-widget: created (its CRD is created by this step)",
    ]);
    expect(c.kube.object("Namespace", undefined, "shop")).toBeUndefined();
  });

  test("the same inputs give the same plan", async () => {
    const args = { definition: [cm("edited", { a: "3" })], kubeconfig: c.kubeconfig };
    expect(await k8sPlan(args, makeCtx())).toEqual(await k8sPlan(args, makeCtx()));
  });

  test("state absent shows what would be deleted", async () => {
    const info = await k8sPlan(
      { state: "absent", definition: [cm("same", {}), cm("never", {})], kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    expect(info.details).toEqual(["ConfigMap default/same: deleted", "ConfigMap default/never: absent"]);
    expect(c.kube.object("ConfigMap", "default", "same")).toBeDefined();
  });

  test("when the cluster does not answer, the plan lists the objects and says so", async () => {
    const port = await freePort();
    const nowhere = { url: `https://127.0.0.1:${port}`, ca: c.kube.ca, options: {} } as FakeKube;
    const path = await writeKubeconfig(join(c.dir, "down"), [{ name: "down", server: nowhere }]);
    const info = await k8sPlan({ definition: [cm("x", {}, "apps")], kubeconfig: path }, makeCtx());
    expect(info.summary).toBe(
      "apply 1 object (cluster not reachable, no server-side dry run: cannot reach the Kubernetes API server " +
        `(context "down", server https://127.0.0.1:${port}): connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect(info.details).toEqual(["ConfigMap apps/x"]);
    expect(info.willChange).toBeUndefined();
  });

  test("run() in a dry run reports what would change without changing it", async () => {
    const r = await k8s({ definition: cm("dry", { a: "1" }), kubeconfig: c.kubeconfig }, makeCtx({ dryRun: true }));
    expect(r).toMatchObject({ changed: true, resources: [{ name: "dry", action: "created" }] });
    expect(c.kube.object("ConfigMap", "default", "dry")).toBeUndefined();
  });
});
