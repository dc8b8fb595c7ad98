import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect } from "../../src/engine/io/kube.js";
import { type FakeKube, freePort, startFakeKube, writeKubeconfig } from "../support/fake-kube/index.js";
import { failure, k8s, k8sInfo, makeCtx, type TestCluster, testCluster } from "./helpers.js";

const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { at: name } });

let east: TestCluster;
let west: FakeKube;
let twoClusters: string;
beforeAll(async () => {
  east = await testCluster();
  west = await startFakeKube();
  twoClusters = await writeKubeconfig(
    join(east.dir, "two"),
    [
      { name: "east", server: east.kube },
      { name: "west", server: west, namespace: "kube-public" },
    ],
    "east",
  );
});
afterAll(async () => {
  await west.stop();
  await east.stop();
});

describe("context and kubeconfig pick the cluster per step", () => {
  test("one playbook drives two clusters", async () => {
    const ctx = makeCtx({ baseDir: east.dir });
    await k8s({ definition: cm("in-east"), kubeconfig: "two" }, ctx);
    await k8s({ definition: cm("in-west"), kubeconfig: "two", context: "west" }, ctx);
    expect(east.kube.object("ConfigMap", "default", "in-east")).toBeDefined();
    expect(east.kube.objects("ConfigMap").map((o) => (o.metadata as { name: string }).name)).not.toContain("in-west");
    // The west context's own namespace is the default there.
    expect(west.object("ConfigMap", "kube-public", "in-west")).toBeDefined();
    const read = await k8sInfo({ kind: "ConfigMap", kubeconfig: twoClusters, context: "west" }, ctx);
    expect((read.resources as Array<{ data: unknown }>).map((o) => o.data)).toEqual([{ at: "in-west" }]);
  });

  test("$KUBECONFIG is used when the step names no kubeconfig, and clients are cached per file and context", async () => {
    const env = { KUBECONFIG: `/nonexistent:${twoClusters}`, HOME: "/nonexistent-home" };
    const ctx = makeCtx({ processEnv: env });
    await k8s({ definition: cm("via-env"), context: "west" }, ctx);
    expect(west.object("ConfigMap", "kube-public", "via-env")).toBeDefined();
    const fileEnv = { readFile: async () => undefined, processEnv: env, baseDir: "/" };
    const realEnv = { ...fileEnv, readFile: async (p: string) => (await ctx.fs.readFile(p))?.toString("utf8") };
    const a = await connect({ context: "west" }, realEnv);
    const b = await connect({ context: "west" }, realEnv);
    const other = await connect({ context: "east" }, realEnv);
    expect(a).toBe(b);
    expect(other).not.toBe(a);
    await expect(connect({}, fileEnv)).rejects.toThrow("no kubeconfig found (looked at /nonexistent, ");
  });

  test("several files in $KUBECONFIG merge like kubectl's: contexts from each, the first current-context", async () => {
    const a = await writeKubeconfig(join(east.dir, "a"), [{ name: "east", server: east.kube }]);
    const b = await writeKubeconfig(join(east.dir, "b"), [{ name: "west", server: west, namespace: "kube-public" }]);
    const ctx = makeCtx({ processEnv: { KUBECONFIG: `${b}:${a}`, HOME: "/nonexistent-home" } });
    await k8s({ definition: cm("merged-default") }, ctx);
    await k8s({ definition: cm("merged-east"), context: "east" }, ctx);
    expect(west.object("ConfigMap", "kube-public", "merged-default")).toBeDefined();
    expect(east.kube.object("ConfigMap", "default", "merged-east")).toBeDefined();
  });
});

describe("cluster errors name the context and server", () => {
  test("an unknown context lists the known ones", async () => {
    const err = await failure(k8s({ definition: cm("x"), kubeconfig: twoClusters, context: "north" }, makeCtx()));
    expect(err.name).toBe("ActionFailure");
    expect(err.message).toBe(`context "north" is not in ${twoClusters}; known contexts: east, west`);
  });

  test("no kubeconfig at all says where it looked and what to set", async () => {
    const err = await failure(k8s({ definition: cm("x") }, makeCtx({ processEnv: { HOME: "/nowhere" } })));
    expect(err.message).toBe(
      "no kubeconfig found (looked at /nowhere/.kube/config); set `kubeconfig:` on the step or the KUBECONFIG variable",
    );
    const missing = await failure(k8s({ definition: cm("x"), kubeconfig: "/nowhere/config" }, makeCtx()));
    expect(missing.message).toBe("kubeconfig /nowhere/config not found");
  });

  test("an unreachable server names the context and URL", async () => {
    const port = await freePort();
    const gone = { url: `https://127.0.0.1:${port}`, ca: east.kube.ca, options: {} } as FakeKube;
    const path = await writeKubeconfig(join(east.dir, "gone"), [{ name: "gone", server: gone }]);
    const err = await failure(k8s({ definition: cm("x"), kubeconfig: path }, makeCtx()));
    expect(err.message).toBe(
      `cannot reach the Kubernetes API server (context "gone", server https://127.0.0.1:${port}): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  test("a server that rejects the token is reported as unauthorized", async () => {
    const locked = await startFakeKube({ token: "right" });
    try {
      const path = await writeKubeconfig(join(east.dir, "locked"), [
        { name: "locked", server: locked, token: "wrong" },
      ]);
      const err = await failure(k8s({ definition: cm("x"), kubeconfig: path }, makeCtx()));
      expect(err.message).toMatch(/Unauthorized \(HTTP 401; context "locked", server https:\/\/127\.0\.0\.1:\d+\)$/);
    } finally {
      await locked.stop();
    }
  });
});
