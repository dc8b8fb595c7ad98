import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeKube, startFakeKube } from "../support/fake-kube/index.js";
import { route } from "../support/fake-kube/routes.js";
import { StatusError } from "../support/fake-kube/store.js";

// The stand-in's server-side apply of lists, its defaults and its finalizers, through the routing layer:
// what real SSA does here decides whether runbook's "changed" and "unchanged" can be trusted.
let kube: FakeKube;
beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(() => kube.stop());

type Obj = Record<string, unknown>;
const call = (method: string, path: string, query: Record<string, string> = {}, body?: unknown) => {
  try {
    return route(kube.store, method, path, query, body, "application/apply-patch+yaml");
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, body: e.body };
    throw e;
  }
};
const apply = (path: string, body: unknown, manager: string, extra: Record<string, string> = {}) =>
  call("PATCH", path, { fieldManager: manager, ...extra }, body);

const DEP = "/apis/apps/v1/namespaces/default/deployments";
function dep(name: string, containers: Obj[], extra: Obj = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
      ...extra,
    },
  };
}
const podSpec = (o: unknown) =>
  ((o as { spec: { template: { spec: Obj } } }).spec.template.spec ?? {}) as {
    containers: Array<Obj & { name: string; env?: Obj[]; ports?: Obj[] }>;
  };
const managed = (o: unknown, manager: string) =>
  (o as { metadata: { managedFields: Array<{ manager: string; fieldsV1: Obj }> } }).metadata.managedFields.find(
    (m) => m.manager === manager,
  )?.fieldsV1;

describe("associative lists merge by key, each item owned per manager", () => {
  test("another manager's container survives runbook's re-apply; runbook's removed env entry goes", () => {
    const app = (env: Obj[]) => ({ name: "app", image: "nginx:1.27", env });
    apply(
      `${DEP}/mixed`,
      dep("mixed", [
        app([
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ]),
      ]),
      "runbook",
    );
    // An injector (another manager) adds a sidecar container and an env entry to runbook's container.
    const sidecar = { name: "istio-proxy", image: "proxyv2:1.30" };
    const injected = dep("mixed", [{ name: "app", env: [{ name: "INJECTED", value: "x" }] }, sidecar]);
    expect(apply(`${DEP}/mixed`, injected, "injector").code).toBe(200);
    // runbook re-applies without B.
    const out = apply(`${DEP}/mixed`, dep("mixed", [app([{ name: "A", value: "1" }])]), "runbook");
    expect(out.code).toBe(200);
    const spec = podSpec(out.body);
    expect(spec.containers.map((c) => c.name)).toEqual(["app", "istio-proxy"]);
    expect(spec.containers[0]!.env!.map((e) => e.name)).toEqual(["A", "INJECTED"]);
    // Ownership as a real server writes it: items by key, `.` for the item itself.
    const mine = managed(out.body, "runbook") as Obj;
    const containers = (((mine["f:spec"] as Obj)["f:template"] as Obj)["f:spec"] as Obj)["f:containers"] as Obj;
    expect(Object.keys(containers)).toEqual(['k:{"name":"app"}']);
    const appOwned = containers['k:{"name":"app"}'] as Obj;
    expect(appOwned["."]).toEqual({});
    expect(Object.keys(appOwned["f:env"] as Obj)).toEqual(['k:{"name":"A"}']);
  });

  test("a container runbook no longer lists is removed unless another manager still has fields in it", () => {
    const a = { name: "a", image: "a:1" };
    const b = { name: "b", image: "b:1" };
    apply(`${DEP}/two`, dep("two", [a, b]), "runbook");
    apply(`${DEP}/two`, dep("two", [{ name: "b", command: ["sleep"] }]), "other");
    const out = apply(`${DEP}/two`, dep("two", [a]), "runbook");
    const containers = podSpec(out.body).containers;
    // b stays (other owns its command), but runbook's image in it is gone with runbook's claim.
    expect(containers.map((c) => c.name)).toEqual(["a", "b"]);
    expect(containers[1]).toMatchObject({ name: "b", command: ["sleep"] });
    expect(containers[1]!.image).toBeUndefined();
    const alone = apply(`${DEP}/two`, dep("two", [a]), "runbook");
    expect(podSpec(alone.body).containers.length).toBe(2);
    apply(`${DEP}/two`, dep("two", [{ name: "a" }]), "other");
    expect(podSpec(call("GET", `${DEP}/two`).body).containers.map((c) => c.name)).toEqual(["a"]);
  });

  test("ports merge by containerPort and protocol (protocol defaulting to TCP)", () => {
    const c = (ports: Obj[]) => [{ name: "app", image: "nginx:1.27", ports }];
    apply(`${DEP}/ports`, dep("ports", c([{ containerPort: 80 }])), "runbook");
    apply(`${DEP}/ports`, dep("ports", c([{ containerPort: 80, protocol: "UDP" }])), "other");
    const ports = podSpec(call("GET", `${DEP}/ports`).body).containers[0]!.ports!;
    expect(ports).toEqual([
      { containerPort: 80, protocol: "TCP" },
      { containerPort: 80, protocol: "UDP" },
    ]);
    // The same port named by both managers is shared, not a conflict; a different value in it is one.
    expect(apply(`${DEP}/ports`, dep("ports", c([{ containerPort: 80, protocol: "TCP" }])), "other").code).toBe(200);
    const clash = apply(`${DEP}/ports`, dep("ports", c([{ containerPort: 80, name: "http" }])), "runbook");
    expect(clash.code).toBe(200);
    const named = apply(`${DEP}/ports`, dep("ports", c([{ containerPort: 80, name: "web" }])), "other");
    expect(named.code).toBe(409);
    expect((named.body as { message: string }).message).toContain(
      '.spec.template.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].name',
    );
  });

  test("a field of another manager's container with a different value is a conflict", () => {
    apply(`${DEP}/img`, dep("img", [{ name: "app", image: "nginx:1.27" }]), "helm");
    const out = apply(`${DEP}/img`, dep("img", [{ name: "app", image: "nginx:1.28" }]), "runbook");
    expect(out.code).toBe(409);
    expect((out.body as { message: string }).message).toBe(
      'Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.template.spec.containers[name="app"].image',
    );
    expect(
      apply(`${DEP}/img`, dep("img", [{ name: "app", image: "nginx:1.28" }]), "runbook", { force: "true" }).code,
    ).toBe(200);
  });
});

describe("defaults", () => {
  test("a Deployment gets replicas, strategy, the pod's and containers' defaults; a re-apply keeps them", () => {
    const first = apply(`${DEP}/defaults`, dep("defaults", [{ name: "app", image: "nginx" }]), "runbook");
    const body = first.body as { spec: Obj; metadata: { resourceVersion: string } };
    expect(body.spec.replicas).toBe(1);
    expect(body.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
    });
    const spec = podSpec(body) as unknown as Obj & { containers: Obj[] };
    expect(spec).toMatchObject({
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      terminationGracePeriodSeconds: 30,
    });
    expect(spec.containers[0]).toMatchObject({ imagePullPolicy: "Always", terminationMessagePolicy: "File" });
    const again = apply(`${DEP}/defaults`, dep("defaults", [{ name: "app", image: "nginx" }]), "runbook");
    expect((again.body as typeof body).metadata.resourceVersion).toBe(body.metadata.resourceVersion);
    const tagged = apply(`${DEP}/tagged`, dep("tagged", [{ name: "app", image: "nginx:1.27" }]), "runbook");
    expect(podSpec(tagged.body).containers[0]!.imagePullPolicy).toBe("IfNotPresent");
    // The defaults are nobody's: they are not in runbook's field set.
    expect(JSON.stringify(managed(tagged.body, "runbook"))).not.toContain("imagePullPolicy");
  });

  test("a Service gets type ClusterIP, one cluster IP for life, ports' protocol and targetPort", () => {
    const svc = (port: number) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port }] },
    });
    const first = apply("/api/v1/namespaces/default/services/web", svc(80), "runbook").body as { spec: Obj };
    expect(first.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None" });
    expect(first.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(first.spec.ports).toEqual([{ name: "http", port: 80, protocol: "TCP", targetPort: 80 }]);
    const second = apply("/api/v1/namespaces/default/services/web", svc(8080), "runbook").body as { spec: Obj };
    expect(second.spec.clusterIP).toBe(first.spec.clusterIP);
    expect(second.spec.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }]);
  });
});

describe("finalizers", () => {
  test("an object with finalizers stays, terminating, until they are removed", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/cleanup"] } };
    apply("/api/v1/namespaces/default/configmaps/held", cm, "runbook");
    expect(call("DELETE", "/api/v1/namespaces/default/configmaps/held", { propagationPolicy: "Foreground" }).code).toBe(
      200,
    );
    const dying = kube.object("ConfigMap", "default", "held") as { metadata: Obj };
    expect(dying.metadata.deletionTimestamp).toBeDefined();
    expect(dying.metadata.finalizers).toEqual(["example.com/cleanup", "foregroundDeletion"]);
    kube.removeFinalizers("ConfigMap", "default", "held");
    expect(kube.object("ConfigMap", "default", "held")).toBeUndefined();
  });
});
