import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RecordedRequest } from "../support/fake-kube/index.js";
import { deployment, failure, k8s, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.stop());

/** The first GET of `path` answered after a request matching `after` (e.g. the apply): a poll while waiting. */
function pollAfter(after: (r: RecordedRequest) => boolean, path: string): Promise<RecordedRequest> {
  let seen = false;
  return c.kube.nextRequest((r) => {
    if (after(r)) seen = true;
    return seen && r.method === "GET" && r.path === path;
  });
}

const gatewayCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "gateways.gateway.networking.k8s.io" },
  spec: {
    group: "gateway.networking.k8s.io",
    scope: "Namespaced",
    names: { kind: "Gateway", plural: "gateways" },
    versions: [{ name: "v1", served: true, storage: true }],
  },
};

describe("wait: true", () => {
  test("waits until a Deployment is rolled out, reporting progress", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/web";
    const polled = pollAfter((r) => r.method === "PATCH" && r.path === path, path);
    const ctx = makeCtx();
    const running = k8s({ definition: deployment("web", 2), wait: true, kubeconfig: c.kubeconfig }, ctx);
    await polled;
    c.kube.markReady("Deployment", "default", "web");
    const result = await running;
    expect(result.resources).toEqual([{ kind: "Deployment", namespace: "default", name: "web", action: "created" }]);
    expect(ctx.progressLog).toContain("waiting for Deployment default/web (generation 1 not observed yet)");
  });

  test("a timeout names what was not ready and its last condition message", async () => {
    await k8s({ definition: deployment("slow", 2), kubeconfig: c.kubeconfig }, makeCtx());
    c.kube.setStatus("Deployment", "default", "slow", {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    c.kube.setCondition(
      "Deployment",
      "default",
      "slow",
      "Available",
      "False",
      "Deployment does not have minimum availability.",
    );
    const args = { definition: deployment("slow", 2), wait: true, wait_timeout: 0.3, kubeconfig: c.kubeconfig };
    const err = await failure(k8s(args, makeCtx()));
    expect(err.name).toBe("ActionFailure");
    expect(err.message).toBe(
      "timed out after 300ms waiting for objects to be ready: Deployment default/slow (1/2 updated replicas available; " +
        "last condition Available=False: Deployment does not have minimum availability.)",
    );
  });

  test("DaemonSets, StatefulSets, Jobs and Gateways each wait for their own signal", async () => {
    const ds = {
      ...deployment("agent"),
      kind: "DaemonSet",
      spec: { ...deployment("agent").spec, replicas: undefined },
    };
    const sts = { ...deployment("db"), kind: "StatefulSet" };
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate" }, spec: { template: {} } };
    const gw = { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "edge" }, spec: {} };
    const lastPath = "/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/edge";
    const polled = pollAfter((r) => r.method === "PATCH" && r.path === lastPath, lastPath);
    const ctx = makeCtx();
    const running = k8s({ definition: [gatewayCrd, ds, sts, job, gw], wait: true, kubeconfig: c.kubeconfig }, ctx);
    await polled;
    c.kube.markReady("DaemonSet", "default", "agent");
    c.kube.markReady("StatefulSet", "default", "db");
    c.kube.markReady("Job", "default", "migrate");
    c.kube.setCondition("Gateway", "default", "edge", "Programmed", "True");
    const result = await running;
    expect((result.resources as unknown[]).length).toBe(5);
    expect(ctx.progressLog).toContain("waiting for DaemonSet default/agent (generation 1 not observed yet) and 3 more");
  });

  test("other kinds wait for `wait_condition`", async () => {
    const crd = {
      ...gatewayCrd,
      metadata: { name: "certs.example.com" },
      spec: { ...gatewayCrd.spec, group: "example.com", names: { kind: "Cert", plural: "certs" } },
    };
    const cert = { apiVersion: "example.com/v1", kind: "Cert", metadata: { name: "tls" }, spec: {} };
    const path = "/apis/example.com/v1/namespaces/default/certs/tls";
    const polled = pollAfter((r) => r.method === "PATCH" && r.path === path, path);
    const args = { definition: [crd, cert], wait: true, wait_condition: { type: "Ready" }, kubeconfig: c.kubeconfig };
    const running = k8s(args, makeCtx());
    await polled;
    c.kube.setCondition("Cert", "default", "tls", "Ready", "True");
    expect((await running).changed).toBe(true);
  });

  test("a failed Job fails the wait at once", async () => {
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "doomed" }, spec: { template: {} } };
    const path = "/apis/batch/v1/namespaces/default/jobs/doomed";
    const polled = pollAfter((r) => r.method === "PATCH" && r.path === path, path);
    const running = failure(k8s({ definition: job, wait: true, kubeconfig: c.kubeconfig }, makeCtx()));
    await polled;
    c.kube.setCondition("Job", "default", "doomed", "Failed", "True", "BackoffLimitExceeded");
    expect((await running).message).toBe("Job default/doomed: job failed: BackoffLimitExceeded");
  });
});

describe("state: absent", () => {
  test("deletes with foreground propagation and waits until gone", async () => {
    await k8s({ definition: deployment("old"), kubeconfig: c.kubeconfig }, makeCtx());
    c.kube.store.holdDeletions = true;
    const path = "/apis/apps/v1/namespaces/default/deployments/old";
    const polled = pollAfter((r) => r.method === "DELETE" && r.path === path, path);
    const running = k8s(
      { state: "absent", definition: deployment("old"), wait: true, kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    const terminating = await polled;
    expect(terminating.status).toBe(200);
    c.kube.store.holdDeletions = false;
    c.kube.store.releaseDeletions();
    const result = await running;
    expect(result).toMatchObject({
      changed: true,
      resources: [{ kind: "Deployment", namespace: "default", name: "old", action: "deleted" }],
    });
    const del = c.kube.requests.find((r) => r.method === "DELETE" && r.path === path);
    expect(del?.query.propagationPolicy).toBe("Foreground");
    expect(c.kube.object("Deployment", "default", "old")).toBeUndefined();
  });

  test("deleting what is not there is ok and unchanged; custom resources go before their CRD", async () => {
    const crd = { ...gatewayCrd, metadata: { name: "certs.example.com" } };
    const defs = [
      { ...crd, spec: { ...gatewayCrd.spec, group: "example.com", names: { kind: "Cert", plural: "certs" } } },
      { apiVersion: "example.com/v1", kind: "Cert", metadata: { name: "tls" } },
    ];
    const first = await k8s({ state: "absent", definition: defs, kubeconfig: c.kubeconfig }, makeCtx());
    expect((first.resources as Array<{ kind: string; action: string }>).map((r) => `${r.kind}:${r.action}`)).toEqual([
      "Cert:deleted",
      "CustomResourceDefinition:deleted",
    ]);
    const again = await k8s({ state: "absent", definition: defs, kubeconfig: c.kubeconfig }, makeCtx());
    expect(again.changed).toBe(false);
    expect((again.resources as Array<{ action: string }>).map((r) => r.action)).toEqual(["absent", "absent"]);
  });
});

describe("CRDs before their custom resources", () => {
  test("custom resources wait until their CRD is Established, then discovery is refreshed", async () => {
    const slow = await testCluster({ autoEstablishCrds: false });
    try {
      const crd = {
        ...gatewayCrd,
        metadata: { name: "meshes.example.com" },
        spec: { ...gatewayCrd.spec, group: "example.com", names: { kind: "Mesh", plural: "meshes" } },
      };
      const mesh = { apiVersion: "example.com/v1", kind: "Mesh", metadata: { name: "m" } };
      const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/meshes.example.com";
      let patched = false;
      const polled = slow.kube.nextRequest((r) => {
        if (r.method === "PATCH" && r.path === crdPath) patched = true;
        return patched && r.method === "GET" && r.path === crdPath;
      });
      const ctx = makeCtx();
      const running = k8s({ definition: [mesh, crd], kubeconfig: slow.kubeconfig }, ctx);
      await polled;
      expect(slow.kube.objects("Mesh")).toEqual([]);
      slow.kube.markReady("CustomResourceDefinition", undefined, "meshes.example.com");
      const result = await running;
      expect((result.resources as Array<{ kind: string }>).map((r) => r.kind)).toEqual([
        "CustomResourceDefinition",
        "Mesh",
      ]);
      expect(ctx.progressLog).toContain(
        "waiting for CustomResourceDefinition meshes.example.com (no Established condition yet)",
      );
      expect(slow.kube.object("Mesh", "default", "m")).toBeDefined();
    } finally {
      await slow.stop();
    }
  });
});

describe("8: wait as kubectl rollout status waits", () => {
  const patchThenPoll = (path: string) => pollAfter((r) => r.method === "PATCH" && r.path === path, path);

  test("minReadySeconds: ready pods that are not yet available keep the wait going", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/patient";
    const polled = patchThenPoll(path);
    const ctx = makeCtx();
    const dep = { ...deployment("patient", 2), spec: { ...deployment("patient", 2).spec, minReadySeconds: 20 } };
    let done = false;
    const running = k8s({ definition: dep, wait: true, kubeconfig: c.kubeconfig }, ctx).finally(() => {
      done = true;
    });
    await polled;
    const ready = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 0 };
    c.kube.setStatus("Deployment", "default", "patient", ready);
    await c.kube.nextRequest((r) => r.method === "GET" && r.path === path);
    await c.kube.nextRequest((r) => r.method === "GET" && r.path === path);
    expect(done).toBe(false);
    expect(ctx.progressLog.at(-1)).toContain("0/2 updated replicas available");
    c.kube.setStatus("Deployment", "default", "patient", { availableReplicas: 2 });
    expect((await running).changed).toBe(true);
  });

  test("a Gateway's Programmed condition from an older generation is not accepted", async () => {
    const gw = (port: number) => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "edge2" },
      spec: { listeners: [{ name: "http", port, protocol: "HTTP" }] },
    });
    await k8s({ definition: [gatewayCrd, gw(80)], kubeconfig: c.kubeconfig }, makeCtx());
    const stale = { type: "Programmed", status: "True", reason: "Programmed", message: "", observedGeneration: 1 };
    c.kube.setStatus("Gateway", "default", "edge2", { conditions: [stale] });
    const path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/edge2";
    const polled = patchThenPoll(path);
    const ctx = makeCtx();
    const running = k8s({ definition: gw(8080), wait: true, kubeconfig: c.kubeconfig }, ctx);
    await polled;
    await c.kube.nextRequest((r) => r.method === "GET" && r.path === path);
    expect(ctx.progressLog.at(-1)).toContain("Programmed=True is for generation 1, not 2");
    c.kube.setStatus("Gateway", "default", "edge2", { conditions: [{ ...stale, observedGeneration: 2 }] });
    expect((await running).changed).toBe(true);
  });

  test("wait_condition is checked on Deployments too, after the rollout", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/gated";
    const polled = patchThenPoll(path);
    const ctx = makeCtx();
    const args = {
      definition: deployment("gated"),
      wait: true,
      wait_condition: { type: "Audited" },
      kubeconfig: c.kubeconfig,
    };
    const running = k8s(args, ctx);
    await polled;
    c.kube.markReady("Deployment", "default", "gated");
    await c.kube.nextRequest((r) => r.method === "GET" && r.path === path);
    await c.kube.nextRequest((r) => r.method === "GET" && r.path === path);
    expect(ctx.progressLog.at(-1)).toContain("no Audited condition yet");
    c.kube.setCondition("Deployment", "default", "gated", "Audited", "True");
    expect((await running).changed).toBe(true);
  });
});
