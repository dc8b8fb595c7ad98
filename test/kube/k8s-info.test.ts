import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { k8sInfoAction } from "../../src/engine/actions/k8s_info.js";
import type { ActionResult } from "../../src/engine/actions/types.js";
import { deployment, failure, k8s, k8sInfo, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
  const pod = (name: string, ns: string, labels: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, labels },
  });
  const definition = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
    pod("istio-ca-root-cert", "istio-system", { app: "istio", tier: "control" }),
    pod("mesh", "istio-system", { app: "istio", tier: "config" }),
    pod("other", "default", { app: "web" }),
    deployment("istiod", 1, "istio-system"),
  ];
  await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
});
afterAll(() => c.stop());

const names = (r: ActionResult) => (r.resources as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name);

describe("k8s_info", () => {
  test("is read-only and changes nothing", async () => {
    expect(k8sInfoAction.readOnly).toBe(true);
    const before = c.kube.requests.length;
    const r = await k8sInfo({ kind: "ConfigMap", kubeconfig: c.kubeconfig }, makeCtx());
    expect(r.changed).toBe(false);
    expect(c.kube.requests.slice(before).every((q) => q.method === "GET")).toBe(true);
  });

  test("gets one object by name, with its kind and apiVersion", async () => {
    const args = { kind: "Deployment", api_version: "apps/v1", name: "istiod", namespace: "istio-system" };
    const r = await k8sInfo({ ...args, kubeconfig: c.kubeconfig }, makeCtx());
    expect(r.resources).toMatchObject([{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "istiod" } }]);
  });

  test("a missing object is an empty list, not a failure", async () => {
    const r = await k8sInfo({ kind: "ConfigMap", name: "nope", kubeconfig: c.kubeconfig }, makeCtx());
    expect(r.resources).toEqual([]);
  });

  test("lists across namespaces, in one namespace, and by label and field selectors", async () => {
    const base = { kind: "ConfigMap", kubeconfig: c.kubeconfig };
    expect(names(await k8sInfo(base, makeCtx()))).toEqual(["istio-ca-root-cert", "mesh", "other"]);
    expect(names(await k8sInfo({ ...base, namespace: "istio-system" }, makeCtx()))).toEqual([
      "istio-ca-root-cert",
      "mesh",
    ]);
    const byLabel = await k8sInfo({ ...base, label_selector: "app=istio,tier in (config, data)" }, makeCtx());
    expect(names(byLabel)).toEqual(["mesh"]);
    expect(c.kube.requests.at(-1)?.query.labelSelector).toBe("app=istio,tier in (config, data)");
    const byField = await k8sInfo({ ...base, field_selector: "metadata.namespace!=istio-system" }, makeCtx());
    expect(names(byField)).toEqual(["other"]);
    expect((byField.resources as Array<{ kind: string }>)[0]?.kind).toBe("ConfigMap");
  });

  test("an unknown kind fails with the groups the cluster serves", async () => {
    const err = await failure(
      k8sInfo({ kind: "Gadget", api_version: "example.com/v1", kubeconfig: c.kubeconfig }, makeCtx()),
    );
    expect(err.message).toMatch(/has no kind Gadget in example.com\/v1; API groups discovered: v1, apps\/v1/);
  });

  test("plan says what would be read, without a request", async () => {
    const args = k8sInfoAction.schema.parse({ kind: "Pod", namespace: "istio-system", label_selector: "app=istiod" });
    expect(await k8sInfoAction.plan(args, makeCtx())).toEqual({
      summary: "read Pod objects in istio-system where app=istiod",
      willChange: false,
    });
  });
});
