import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeKube, startFakeKube } from "../support/fake-kube/index.js";
import { route } from "../support/fake-kube/routes.js";
import { StatusError } from "../support/fake-kube/store.js";

// The stand-in's own rules, checked through its routing layer (no TLS): a stand-in that lies makes every test lie.
let kube: FakeKube;
beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(() => kube.stop());

const call = (method: string, path: string, query: Record<string, string> = {}, body?: unknown) => {
  try {
    return route(kube.store, method, path, query, body, "application/apply-patch+yaml");
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, body: e.body };
    throw e;
  }
};
const apply = (path: string, body: unknown, manager = "me", extra: Record<string, string> = {}) =>
  call("PATCH", path, { fieldManager: manager, ...extra }, body);
const meta = (a: { body: unknown }) => (a.body as { metadata: Record<string, unknown> }).metadata;

describe("fake-kube", () => {
  test("resourceVersion moves only on change; generation only on spec change", () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/d";
    const dep = (replicas: number, label = "a") => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", labels: { l: label } },
      spec: { replicas, selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } } } },
    });
    const created = apply(path, dep(1));
    expect(created.code).toBe(201);
    const same = apply(path, dep(1));
    expect(meta(same).resourceVersion).toBe(meta(created).resourceVersion);
    const relabelled = apply(path, dep(1, "b"));
    expect(meta(relabelled).resourceVersion).not.toBe(meta(created).resourceVersion);
    expect(meta(relabelled).generation).toBe(1);
    expect(meta(apply(path, dep(2, "b"))).generation).toBe(2);
  });

  test("dryRun=All answers without storing", () => {
    const path = "/api/v1/namespaces/default/configmaps/dry";
    const out = apply(path, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" } }, "me", {
      dryRun: "All",
    });
    expect(out.code).toBe(201);
    expect(call("GET", path).code).toBe(404);
  });

  test("a CRD's kind is discovered once it is Established, and deleting the CRD deletes its objects", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { kind: "Thing", plural: "things" },
        versions: [{ name: "v1", served: true }],
      },
    };
    expect(call("GET", "/apis/example.com/v1").code).toBe(404);
    apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.com", crd);
    const groups = call("GET", "/apis").body as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).toContain("example.com");
    const list = call("GET", "/apis/example.com/v1").body as {
      resources: Array<{ kind: string; namespaced: boolean }>;
    };
    expect(list.resources).toEqual([expect.objectContaining({ kind: "Thing", namespaced: false })]);
    expect(apply("/apis/example.com/v1/things/t", { apiVersion: "example.com/v1", kind: "Thing" }).code).toBe(201);
    call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.com");
    expect(kube.objects("Thing")).toEqual([]);
  });

  test("conflicts: only when another manager's value would change; force moves ownership", () => {
    const path = "/api/v1/namespaces/default/configmaps/owned";
    const cm = (v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owned" }, data: { k: v } });
    apply(path, cm("1"), "helm");
    expect(apply(path, cm("1"), "me").code).toBe(200);
    const clash = apply(path, cm("2"), "other");
    expect(clash.code).toBe(409);
    expect((clash.body as { message: string }).message).toBe(
      'Apply failed with 2 conflicts: conflict with "helm" using v1: .data.k\nconflict with "me" using v1: .data.k',
    );
    expect(apply(path, cm("2"), "other", { force: "true" }).code).toBe(200);
    const managers = (meta(call("GET", path)).managedFields as Array<{ manager: string }>).map((m) => m.manager);
    expect(managers).toEqual(["other"]);
  });

  test("the OpenAPI v3 index names each group version's PATCH operations and their fieldValidation", () => {
    const root = call("GET", "/openapi/v3").body as { paths: Record<string, { serverRelativeURL: string }> };
    expect(root.paths["apis/apps/v1"]?.serverRelativeURL).toBe("/openapi/v3/apis/apps/v1");
    const apps = call("GET", "/openapi/v3/apis/apps/v1").body as {
      paths: Record<string, { patch: Record<string, unknown> }>;
    };
    const op = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?.patch;
    expect(op?.["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect(op?.parameters).toContainEqual(expect.objectContaining({ name: "fieldValidation", in: "query" }));
    expect(call("GET", "/openapi/v3/apis/nothing.example/v1").code).toBe(404);
  });

  test("deleting a namespace deletes what is in it", () => {
    apply("/api/v1/namespaces/tmp", { apiVersion: "v1", kind: "Namespace", metadata: { name: "tmp" } });
    apply("/api/v1/namespaces/tmp/secrets/s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } });
    call("DELETE", "/api/v1/namespaces/tmp", { propagationPolicy: "Foreground" });
    expect(kube.object("Secret", "tmp", "s")).toBeUndefined();
  });

  test("label selectors: equality, inequality, set and existence", () => {
    for (const [name, labels] of [
      ["a", { app: "x", env: "prod" }],
      ["b", { app: "y" }],
      ["c", { env: "dev" }],
    ] as const) {
      apply(`/api/v1/namespaces/default/services/${name}`, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, labels },
      });
    }
    const names = (sel: string) =>
      (
        call("GET", "/api/v1/services", { labelSelector: sel }).body as { items: Array<{ metadata: { name: string } }> }
      ).items.map((i) => i.metadata.name);
    expect(names("app=x")).toEqual(["a"]);
    expect(names("app!=x")).toEqual(["b", "c"]);
    expect(names("env in (prod,dev)")).toEqual(["a", "c"]);
    expect(names("app,!env")).toEqual(["b"]);
  });
});
