import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deployment, failure, k8s, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.stop());

describe("field ownership conflicts", () => {
  test("a field another manager owns fails with its name and the way out; force_conflicts takes it", async () => {
    c.kube.applyAs("helm", deployment("web", 3, "default"));
    const err = await failure(k8s({ definition: deployment("web", 2), kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.name).toBe("ActionFailure");
    expect(err.message).toBe(
      'Deployment default/web: fields owned by field manager "helm" would change: .spec.replicas; ' +
        "set `force_conflicts: true` to take ownership of them",
    );
    expect(c.kube.object("Deployment", "default", "web")?.spec).toMatchObject({ replicas: 3 });

    const forced = await k8s(
      { definition: deployment("web", 2), force_conflicts: true, kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    expect(forced.resources).toEqual([{ kind: "Deployment", namespace: "default", name: "web", action: "configured" }]);
    const live = c.kube.object("Deployment", "default", "web") as {
      spec: { replicas: number };
      metadata: { managedFields: Array<{ manager: string; fieldsV1: { "f:spec"?: Record<string, unknown> } }> };
    };
    expect(live.spec.replicas).toBe(2);
    const owner = live.metadata.managedFields.find((m) => m.fieldsV1["f:spec"]?.["f:replicas"]);
    expect(owner?.manager).toBe("runbook");
    expect(c.kube.requests.at(-1)?.query.force).toBe("true");
  });

  test("fields set to the same value are shared, not a conflict", async () => {
    c.kube.applyAs("helm", deployment("shared", 2, "default"));
    const result = await k8s({ definition: deployment("shared", 2), kubeconfig: c.kubeconfig }, makeCtx());
    // Only the managed fields changed: the object gained a co-owner.
    expect(result.resources).toEqual([
      { kind: "Deployment", namespace: "default", name: "shared", action: "configured" },
    ]);
  });
});

describe("errors name what to fix", () => {
  test("422 lists the invalid field paths", async () => {
    const bad = deployment("broken", -1);
    bad.spec.template.metadata.labels = { app: "other" };
    const err = await failure(k8s({ definition: bad, kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.message).toBe(
      "Deployment default/broken is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0; " +
        "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`",
    );
  });

  test("an unknown kind lists the API groups discovered", async () => {
    const definition = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "vs" } };
    const err = await failure(k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.message).toMatch(
      /^the cluster \(context "test"\) has no kind VirtualService in networking.istio.io\/v1; /,
    );
    expect(err.message).toContain("API groups discovered: v1, apps/v1, batch/v1, rbac.authorization.k8s.io/v1");
  });

  test("a namespace that does not exist is reported as the server says", async () => {
    const definition = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "nowhere" } };
    const err = await failure(k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.message).toBe('ConfigMap nowhere/x: namespaces "nowhere" not found');
  });
});
