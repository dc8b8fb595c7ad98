import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect } from "../../src/engine/io/kube.js";
import { VERSION } from "../../src/version.js";
import { deployment, failure, k8s, k8sPlan, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster({ deletionDelayMs: 300 });
});
afterAll(() => c.stop());

const cm = (name: string, data: Record<string, string> = { a: "1" }) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data,
});

// The cached client of the test kubeconfig, to shorten its per-request timeout.
async function transportOf(kubeconfig: string) {
  const env = { readFile: async () => undefined, processEnv: {}, baseDir: "/" };
  const { readFile } = await import("node:fs/promises");
  return (await connect({ kubeconfig }, { ...env, readFile: (p) => readFile(p, "utf8") })).transport;
}

describe("1: delete waits until gone; an apply of a dying object waits", () => {
  test("state=absent returns only once the object is gone (without wait: true)", async () => {
    await k8s({ definition: deployment("doomed"), kubeconfig: c.kubeconfig }, makeCtx());
    const t0 = Date.now();
    const result = await k8s(
      { state: "absent", definition: deployment("doomed"), kubeconfig: c.kubeconfig },
      makeCtx(),
    );
    expect(result.changed).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(c.kube.object("Deployment", "default", "doomed")).toBeUndefined();
  });

  test("an apply meeting an object still being deleted waits for it, then creates it", async () => {
    await k8s({ definition: deployment("phoenix"), kubeconfig: c.kubeconfig }, makeCtx());
    // Someone else (kubectl delete --wait=false) started the deletion.
    c.kube.store.delete(c.kube.type("Deployment"), "default", "phoenix", "Foreground");
    const ctx = makeCtx();
    const result = await k8s({ definition: deployment("phoenix"), kubeconfig: c.kubeconfig }, ctx);
    expect(result.resources).toEqual([
      { kind: "Deployment", namespace: "default", name: "phoenix", action: "created" },
    ]);
    await new Promise((r) => setTimeout(r, 400));
    // Still there after the old deletion finished: a new object, not the dying one.
    expect(c.kube.object("Deployment", "default", "phoenix")?.metadata).not.toHaveProperty("deletionTimestamp");
    expect(ctx.progressLog.some((m) => m.includes("deletion of Deployment default/phoenix"))).toBe(true);
  });
});

describe("3: every request takes the step's abort signal and a per-request timeout", () => {
  test("an abort (Ctrl-C, step timeout) ends a request the server never answers, at once", async () => {
    await k8s({ definition: cm("hang"), kubeconfig: c.kubeconfig }, makeCtx());
    c.kube.fault({ match: (r) => r.method === "PATCH", hang: true });
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(), 200);
    await failure(
      k8s({ definition: cm("hang", { a: "2" }), kubeconfig: c.kubeconfig }, makeCtx({ signal: controller.signal })),
    );
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test("a request that never gets an answer times out and is retried", async () => {
    const transport = await transportOf(c.kubeconfig);
    transport.requestTimeoutMs = 300;
    try {
      c.kube.fault({ match: (r) => r.method === "PATCH", hang: true });
      const result = await k8s({ definition: cm("retried", { a: "1" }), kubeconfig: c.kubeconfig }, makeCtx());
      expect(result.changed).toBe(true);
      const patches = c.kube.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/retried"));
      expect(patches.length).toBe(1); // the hung one was never answered, so never recorded
    } finally {
      transport.requestTimeoutMs = 30_000;
    }
  });
});

describe("3b: a slow server is waited for", () => {
  test("an answer slower than usual but within the request timeout is taken, not retried", async () => {
    c.kube.fault({ match: (r) => r.method === "PATCH", delayMs: 400 });
    const result = await k8s({ definition: cm("slow", { a: "1" }), kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.changed).toBe(true);
    const patches = c.kube.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/slow"));
    expect(patches.map((r) => r.status)).toEqual([201]);
  });
});

describe("4: retries on 429, 5xx and connection resets, bounded by the step's timeout", () => {
  test("a 429 with Retry-After is waited out and the apply succeeds", async () => {
    c.kube.fault({ match: (r) => r.method === "PATCH", status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const result = await k8s({ definition: cm("throttled"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.changed).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  test("a 503 and a reset connection during a wait do not fail it", async () => {
    await k8s({ definition: deployment("flaky"), kubeconfig: c.kubeconfig }, makeCtx());
    c.kube.markReady("Deployment", "default", "flaky");
    const get = (r: { method: string; path: string }) => r.method === "GET" && r.path.endsWith("/deployments/flaky");
    c.kube.fault({ match: get, status: 503, times: 2 });
    c.kube.fault({ match: get, reset: true });
    const result = await k8s({ definition: deployment("flaky"), wait: true, kubeconfig: c.kubeconfig }, makeCtx());
    expect(result.failed).toBeUndefined();
  });

  test("a retry that would outlive the step's timeout is not started", async () => {
    c.kube.fault({ match: (r) => r.method === "PATCH", status: 429, retryAfter: 30 });
    const t0 = Date.now();
    const err = await failure(k8s({ definition: cm("late"), kubeconfig: c.kubeconfig }, makeCtx({ timeoutMs: 2000 })));
    expect(err.message).toContain("injected 429");
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe("5: changed comes from content, not resourceVersion", () => {
  test("a controller writing status between the read and the apply is not a change; plan agrees", async () => {
    await k8s({ definition: deployment("busy"), kubeconfig: c.kubeconfig }, makeCtx());
    const path = "/apis/apps/v1/namespaces/default/deployments/busy";
    let bumped = 0;
    const bump = () =>
      c.kube
        .nextRequest((r) => r.method === "GET" && r.path === path)
        .then(() => {
          c.kube.setStatus("Deployment", "default", "busy", { observedGeneration: 1, replicas: ++bumped });
        });
    void bump();
    const plan = await k8sPlan({ definition: deployment("busy"), kubeconfig: c.kubeconfig }, makeCtx());
    void bump();
    const result = await k8s({ definition: deployment("busy"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(bumped).toBe(2);
    expect(plan.willChange).toBe(false);
    expect(result.changed).toBe(false);
    const changed = await k8s({ definition: deployment("busy", 3), kubeconfig: c.kubeconfig }, makeCtx());
    expect(changed.changed).toBe(true);
  });
});

describe("9: a failed step still reports what it applied", () => {
  test("the objects applied before the failure are in the result", async () => {
    const bad = { ...cm("Not_Valid") };
    const err = await failure(k8s({ definition: [cm("good-one"), bad], kubeconfig: c.kubeconfig }, makeCtx()));
    expect((err as unknown as { result: Record<string, unknown> }).result).toMatchObject({
      changed: true,
      resources: [{ kind: "ConfigMap", name: "good-one", action: "created" }],
    });
  });
});

describe("10: API server warnings become step warnings", () => {
  test("a deprecation warning is in the result and on stderr", async () => {
    const text = "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+";
    c.kube.fault({ match: (r) => r.method === "PATCH", warning: text });
    const out: string[] = [];
    const ctx = makeCtx({ output: (_s, chunk) => out.push(chunk) });
    const result = await k8s({ definition: cm("warned"), kubeconfig: c.kubeconfig }, ctx);
    expect(result.warnings).toEqual([text]);
    expect(out.join("")).toContain(`Warning: ${text}`);
  });
});

describe("11 and 12: connections, discovery, concurrent deletes, User-Agent", () => {
  test("200 objects: discovery once, a handful of connections, deletes in parallel", async () => {
    const fresh = await testCluster({ deletionDelayMs: 200 });
    try {
      const definition = Array.from({ length: 200 }, (_, i) => cm(`n${i}`));
      await k8s({ definition, wait: true, kubeconfig: fresh.kubeconfig }, makeCtx());
      const discovery = fresh.kube.requests.filter((r) => r.path === "/api/v1");
      expect(discovery.length).toBe(1);
      const t0 = Date.now();
      await k8s({ state: "absent", definition, kubeconfig: fresh.kubeconfig }, makeCtx());
      // One at a time would take 200 × 200 ms of waiting; in parallel the deletions finish together.
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(fresh.kube.objects("ConfigMap")).toEqual([]);
      expect(fresh.kube.connections).toBeLessThanOrEqual(12);
      expect(new Set(fresh.kube.userAgents)).toEqual(
        new Set([expect.stringMatching(new RegExp(`^runbook/${VERSION.replace(/\./g, "\\.")} `))]),
      );
    } finally {
      await fresh.stop();
    }
  });
});

describe("the stand-in's defaults and strict field validation", () => {
  test("a typo'd field fails the apply (fieldValidation=Strict, as kubectl) instead of vanishing", async () => {
    const dep = deployment("typo") as Record<string, unknown> & { spec: Record<string, unknown> };
    dep.spec = { ...dep.spec, replicass: 3 };
    const err = await failure(k8s({ definition: dep, kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.message).toContain('unknown field "spec.replicass"');
    const patch = c.kube.requests.findLast((r) => r.method === "PATCH" && r.path.endsWith("/typo"));
    expect(patch?.query.fieldValidation).toBe("Strict");
  });

  test("fields the server defaults do not make a re-apply a change", async () => {
    await k8s({ definition: deployment("defaulted"), kubeconfig: c.kubeconfig }, makeCtx());
    const stored = c.kube.object("Deployment", "default", "defaulted") as { spec: Record<string, unknown> };
    expect(stored.spec.progressDeadlineSeconds).toBe(600);
    const again = await k8s({ definition: deployment("defaulted"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(again.changed).toBe(false);
    const plan = await k8sPlan({ definition: deployment("defaulted"), kubeconfig: c.kubeconfig }, makeCtx());
    expect(plan.willChange).toBe(false);
  });
});
