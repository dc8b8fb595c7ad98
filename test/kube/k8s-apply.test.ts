import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { failure, k8s, k8sInfo, makeCtx, type TestCluster, testCluster } from "./helpers.js";

const fixtures = join(import.meta.dirname, "../fixtures/kube");
let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.stop());

describe("k8s state=present", () => {
  test("a multi-document file with a CRD and a custom resource applies in a safe order", async () => {
    const ctx = makeCtx({ baseDir: fixtures });
    const result = await k8s({ src: "crd-and-cr.yaml", kubeconfig: c.kubeconfig }, ctx);
    expect(result.changed).toBe(true);
    expect(result.resources).toEqual([
      { kind: "CustomResourceDefinition", namespace: undefined, name: "widgets.example.com", action: "created" },
      { kind: "Namespace", namespace: undefined, name: "shop", action: "created" },
      { kind: "Widget", namespace: "shop", name: "first-widget", action: "created" },
    ]);
    const widget = c.kube.object("Widget", "shop", "first-widget");
    expect(widget?.spec).toEqual({ size: 3, extra: { anything: "goes" } });
    // The CRD reaches the server whole: no model class dropped or renamed x-kubernetes-* keys.
    const crd = c.kube.object("CustomResourceDefinition", undefined, "widgets.example.com") as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }> };
    };
    expect(crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec).toEqual({
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    const patches = c.kube.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.path)).toEqual([
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
      "/api/v1/namespaces/shop",
      "/apis/example.com/v1/namespaces/shop/widgets/first-widget",
    ]);
    expect(patches.every((r) => r.query.fieldManager === "runbook" && r.query.force === "false")).toBe(true);
    expect(patches[0]?.contentType).toBe("application/apply-patch+yaml");
  });

  test("a second apply of the same manifests reports no change", async () => {
    const ctx = makeCtx({ baseDir: fixtures });
    const result = await k8s({ src: "crd-and-cr.yaml", kubeconfig: c.kubeconfig }, ctx);
    expect(result.changed).toBe(false);
    expect((result.resources as Array<{ action: string }>).map((r) => r.action)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
  });

  test("a changed field reports configured, and only that object changes", async () => {
    const definition = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { x: "1" } },
    ];
    await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    const rvBefore = c.kube.object("ConfigMap", "default", "a")?.metadata;
    definition[1]!.data.x = "2";
    const result = await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.changed).toBe(true);
    expect((result.resources as Array<{ name: string; action: string }>).map((r) => `${r.name}:${r.action}`)).toEqual([
      "a:unchanged",
      "b:configured",
    ]);
    expect(c.kube.object("ConfigMap", "default", "a")?.metadata).toEqual(rvBefore);
  });

  test("many objects of one kind are read with a GET each: no LIST (and no `list` RBAC) needed", async () => {
    const rbac = await testCluster({ forbidList: true });
    try {
      const cms = (v: string) =>
        Array.from({ length: 6 }, (_, i) => ({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `many-${i}` },
          data: { v: i === 5 ? v : "same" },
        }));
      await k8s({ definition: cms("1").slice(0, 5), kubeconfig: rbac.kubeconfig }, makeCtx());
      const from = rbac.kube.requests.length;
      const result = await k8s({ definition: cms("2"), kubeconfig: rbac.kubeconfig }, makeCtx());
      expect((result.resources as Array<{ action: string }>).map((r) => r.action)).toEqual([
        "unchanged",
        "unchanged",
        "unchanged",
        "unchanged",
        "unchanged",
        "created",
      ]);
      const reads = rbac.kube.requests.slice(from).filter((r) => r.method === "GET" && r.path.includes("configmaps"));
      expect(reads.map((r) => r.path)).toEqual(
        Array.from({ length: 6 }, (_, i) => `/api/v1/namespaces/default/configmaps/many-${i}`),
      );
      const again = await k8s({ definition: cms("3"), kubeconfig: rbac.kubeconfig }, makeCtx());
      expect((again.resources as Array<{ action: string }>).at(-1)?.action).toBe("configured");
      // The stand-in does say no to a LIST.
      const err = await failure(k8sInfo({ kind: "ConfigMap", kubeconfig: rbac.kubeconfig }, makeCtx()));
      expect(err.message).toContain("HTTP 403");
    } finally {
      await rbac.stop();
    }
  });

  test("objects in a namespace (or of a CRD) the step has just created are applied without a GET", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.org" },
      spec: {
        group: "example.org",
        names: { kind: "Gadget", plural: "gadgets" },
        scope: "Cluster",
        versions: [{ name: "v1", served: true, storage: true }],
      },
    };
    const definition = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "brand-new" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "brand-new" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "elsewhere" } },
      crd,
      { apiVersion: "example.org/v1", kind: "Gadget", metadata: { name: "g" } },
    ];
    const gets = (from: number) =>
      c.kube.requests
        .slice(from)
        .filter((r) => r.method === "GET" && /configmaps\/|\/gadgets\/|namespaces\/brand-new$/.test(r.path))
        .map((r) => r.path);
    let from = c.kube.requests.length;
    const first = await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    expect((first.resources as Array<{ action: string }>).map((r) => r.action)).toEqual(Array(5).fill("created"));
    // Only the namespace itself and the object outside it are read first.
    expect(gets(from)).toEqual(["/api/v1/namespaces/brand-new", "/api/v1/namespaces/default/configmaps/elsewhere"]);
    from = c.kube.requests.length;
    const again = await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    expect((again.resources as Array<{ action: string }>).map((r) => r.action)).toEqual(Array(5).fill("unchanged"));
    expect(gets(from)).toContain("/api/v1/namespaces/brand-new/configmaps/a");
  });

  test("requests share kept-alive TLS connections instead of one handshake each", async () => {
    const fresh = await testCluster();
    try {
      const definition = Array.from({ length: 100 }, (_, i) => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `s${i}` },
      }));
      await k8s({ definition, kubeconfig: fresh.kubeconfig }, makeCtx());
      // A handshake per request would be 100+ connections; a kept-alive pool for 8 in flight needs a handful.
      expect(fresh.kube.requests.length).toBeGreaterThan(100);
      expect(fresh.kube.connections).toBeLessThan(25);
    } finally {
      await fresh.stop();
    }
  });

  test("namespace defaults only namespaced objects; objects naming one keep it", async () => {
    const definition = `
apiVersion: v1
kind: Namespace
metadata: { name: team }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: defaulted }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: explicit, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: reader }
rules: []
`;
    const result = await k8s({ definition, namespace: "team", kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.resources).toEqual([
      { kind: "Namespace", namespace: undefined, name: "team", action: "created" },
      { kind: "ConfigMap", namespace: "team", name: "defaulted", action: "created" },
      { kind: "ConfigMap", namespace: "default", name: "explicit", action: "created" },
      { kind: "ClusterRole", namespace: undefined, name: "reader", action: "created" },
    ]);
    expect(c.kube.requests.some((r) => r.path === "/apis/rbac.authorization.k8s.io/v1/clusterroles/reader")).toBe(true);
  });

  test("a Handlebars template is found, rendered with `vars` and applied", async () => {
    const ctx = makeCtx({ baseDir: fixtures });
    const result = await k8s({ template: "app.yaml.hbs", vars: { name: "shopfront" }, kubeconfig: c.kubeconfig }, ctx);
    expect(result.resources).toEqual([
      { kind: "ConfigMap", namespace: "default", name: "shopfront-config", action: "created" },
      { kind: "ServiceAccount", namespace: "default", name: "shopfront", action: "created" },
    ]);
    expect(c.kube.object("ConfigMap", "default", "shopfront-config")?.data).toEqual({ greeting: "hello shopfront" });
  });

  test("a field dropped from the manifest is removed from the object", async () => {
    const cm = (data: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "prune" },
      data,
    });
    await k8s({ definition: cm({ keep: "1", drop: "2" }), kubeconfig: c.kubeconfig }, makeCtx());
    const result = await k8s({ definition: cm({ keep: "1" }), kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.changed).toBe(true);
    expect(c.kube.object("ConfigMap", "default", "prune")?.data).toEqual({ keep: "1" });
  });

  test("a document without kind or name fails before anything is sent", async () => {
    const sent = c.kube.requests.length;
    const err = await failure(
      k8s({ definition: { apiVersion: "v1", metadata: {} }, kubeconfig: c.kubeconfig }, makeCtx()),
    );
    expect(err.name).toBe("ActionFailure");
    expect(err.message).toBe("manifest document 1 has no kind, metadata.name");
    expect(c.kube.requests.length).toBe(sent);
  });

  test("the schema wants exactly one source of objects", async () => {
    await expect(() => k8s({ src: "a.yaml", template: "b.hbs" }, makeCtx())).rejects.toThrow(/exactly one of/);
  });
});
