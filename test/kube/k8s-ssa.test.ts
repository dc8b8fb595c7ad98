import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deployment, k8s, k8sPlan, makeCtx, type TestCluster, testCluster } from "./helpers.js";

// The k8s action against the stand-in's server-side apply of lists, defaults and finalizers: what
// another field manager added survives runbook's re-apply, and "unchanged" is not fooled by defaults.
let c: TestCluster;
beforeAll(async () => {
  c = await testCluster({ finalizerDelayMs: 400 });
});
afterAll(() => c.stop());

type Obj = Record<string, unknown>;
const withEnv = (name: string, env: Obj[]) => {
  const d = deployment(name);
  (d.spec.template.spec.containers[0] as Obj).env = env;
  return d;
};
const containersOf = (name: string) =>
  (c.kube.object("Deployment", "default", name) as { spec: { template: { spec: { containers: Obj[] } } } }).spec
    .template.spec.containers;

describe("server-side apply merges lists by key", () => {
  test("an injected sidecar survives runbook's re-apply, which is unchanged", async () => {
    await k8s({ definition: deployment("web"), kubeconfig: c.kubeconfig }, makeCtx());
    const sidecar = deployment("web");
    sidecar.spec.template.spec.containers = [{ name: "istio-proxy", image: "proxyv2:1.30" }];
    c.kube.applyAs("istio-injector", sidecar);
    const again = await k8s({ definition: deployment("web"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(again.changed).toBe(false);
    expect(containersOf("web").map((x) => x.name)).toEqual(["web", "istio-proxy"]);
    const plan = await k8sPlan({ definition: deployment("web"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(plan.willChange).toBe(false);
  });

  test("an env entry runbook stops applying is removed and the apply is a change", async () => {
    const two = withEnv("envy", [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    await k8s({ definition: two, kubeconfig: c.kubeconfig }, makeCtx());
    const plan = await k8sPlan(
      { definition: withEnv("envy", [{ name: "A", value: "1" }]), kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    expect(plan.willChange).toBe(true);
    const one = await k8s(
      { definition: withEnv("envy", [{ name: "A", value: "1" }]), kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    expect(one.changed).toBe(true);
    expect(containersOf("envy")[0]!.env).toEqual([{ name: "A", value: "1" }]);
  });

  test("a Service the server defaulted (type, cluster IP, ports) re-applies as unchanged", async () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
    };
    const first = await k8s({ definition: svc, kubeconfig: c.kubeconfig }, makeCtx());
    expect(first.changed).toBe(true);
    expect((c.kube.object("Service", "default", "web") as { spec: Obj }).spec.clusterIP).toBeDefined();
    const again = await k8s({ definition: svc, kubeconfig: c.kubeconfig }, makeCtx());
    expect(again.changed).toBe(false);
  });
});

describe("finalizers", () => {
  test("state=absent waits until the object's finalizers are removed and it is gone", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/x"] } };
    await k8s({ definition: cm, kubeconfig: c.kubeconfig }, makeCtx());
    const result = await k8s({ state: "absent", definition: cm, kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.changed).toBe(true);
    // Returned only after polls that met the object still terminating, then a 404.
    const del = c.kube.requests.findIndex((r) => r.method === "DELETE" && r.path.endsWith("/held"));
    const polls = c.kube.requests.slice(del + 1).filter((r) => r.method === "GET" && r.path.endsWith("/held"));
    expect(polls[0]?.status).toBe(200);
    expect(polls.at(-1)?.status).toBe(404);
    expect(c.kube.object("ConfigMap", "default", "held")).toBeUndefined();
  });
});
