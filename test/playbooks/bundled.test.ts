// End to end: each bundled playbook applied twice against the stand-ins — recording istioctl/kubectl on
// PATH (test/support/bin), a loopback release mirror, and fake API servers — comparing the commands
// issued with test/fixtures/playbooks/<scenario>/commands-run{1,2}.txt and checking the objects applied.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { CLI, NODE, REPO } from "../support/cli.js";
import { type FakeKube, startFakeKube, writeKubeconfig } from "../support/fake-kube/index.js";
import { ReleaseServer } from "../support/release-server.js";
import { tempDir } from "../support/tmp.js";

const run = promisify(execFile);
const STUBS = join(REPO, "test/support/bin");
const FIXTURES = join(REPO, "test/fixtures/playbooks");
const ISTIO = "1.30.4";

// The machine's platform in Istio's release names (the preset picks it from facts).
const platform = `${process.platform === "darwin" ? "osx" : "linux"}-${process.arch === "x64" ? "amd64" : process.arch}`;

type Obj = Record<string, unknown>;

/** The parts of a stand-in cluster's state file the assertions read (test/support/stubs/lib.cjs). */
interface StubCluster {
  namespaces: Record<
    string,
    { labels?: Record<string, string>; deployments?: Record<string, { sidecar?: boolean; revision?: string }> }
  >;
  istio: Record<
    string,
    {
      version?: string;
      revision?: string;
      tracer?: string;
      ingressPdbMinAvailable?: number;
      profile?: string;
      ingressGateway?: boolean;
      file?: string;
    }
  >;
  tags: Record<string, string>;
  secrets: Record<string, unknown>;
}

/** The applied object of that apiVersion, kind, namespace and name, if any. */
function find(
  objects: Obj[] | undefined,
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
) {
  return objects?.find((o) => {
    const m = o.metadata as { name?: string; namespace?: string };
    return o.apiVersion === apiVersion && o.kind === kind && m.name === name && m.namespace === namespace;
  });
}

const crd = (group: string, kind: string, plural: string): Obj => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
});

// What the Gateway API mirror serves: enough of standard-install.yaml for a waypoint.
// Every Gateway API release stamps its CRDs with its bundle version and channel.
const gatewayApiCrd = (version: string, channel: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gateways.gateway.networking.k8s.io
  annotations:
    gateway.networking.k8s.io/bundle-version: ${version}
    gateway.networking.k8s.io/channel: ${channel}
spec:
  group: gateway.networking.k8s.io
  names: { kind: Gateway, plural: gateways, singular: gateway, listKind: GatewayList }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;
const GATEWAY_API_CRDS = gatewayApiCrd("v1.5.1", "standard");

let mirror: ReleaseServer;

beforeAll(async () => {
  mirror = await ReleaseServer.start();
  // The archive's istioctl hands every call to the recording stand-in.
  mirror.addIstioctl(ISTIO, platform, `#!/bin/sh\nexec "${join(STUBS, "istioctl")}" "$@"\n`);
  mirror.addFile("gateway-api/v1.5.1/standard-install.yaml", GATEWAY_API_CRDS, { checksumFile: false });
});

afterAll(async () => {
  await mirror?.close();
});

interface Scenario {
  /** Folder under test/fixtures/playbooks. */
  fixture: string;
  playbook: string;
  contexts?: string[];
  extraVars?: (paths: { kubeconfig: string }) => Obj;
  args?: string[];
  /** Expected exit code of both runs. */
  code?: number;
  /** Objects each fake API server holds before the first run, besides what `istioctl install` creates. */
  seed?: Obj[];
  /** Arguments of the second run instead of `args` (e.g. --tags rollback after an upgrade). */
  args2?: string[];
  /** false: a variant of the fixture's scenario, whose commands UPDATE_GOLDEN must not write. */
  golden?: boolean;
  /** More environment for the stand-ins (e.g. RUNBOOK_STUB_HELM_CHART_VERSIONS). */
  env?: Record<string, string>;
}

interface RunOutcome {
  code: number;
  output: string;
  commands: string[];
}

async function applyScenario(s: Scenario) {
  const { dir, cleanup } = await tempDir("runbook-playbook-");
  const home = join(dir, "home");
  const state = join(dir, "state");
  const cacerts = join(dir, "cacerts");
  await mkdir(home, { recursive: true });
  await cp(join(FIXTURES, s.fixture, "state"), state, { recursive: true });
  for (const c of ["cluster1", "cluster2"]) {
    await mkdir(join(cacerts, c), { recursive: true });
    for (const f of ["ca-cert", "ca-key", "root-cert", "cert-chain"]) await writeFile(join(cacerts, c, `${f}.pem`), f);
  }

  const contexts = s.contexts ?? ["default"];
  const kubes: FakeKube[] = [];
  for (const ctx of contexts) {
    const kube = await startFakeKube({ autoReady: true });
    kubes.push(kube);
    // What `istioctl install` creates (the stand-in istioctl does not talk to the API server), and the
    // namespaces the stand-in cluster already has.
    kube.applyAs("istioctl", { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } });
    kube.applyAs("istioctl", crd("security.istio.io", "PeerAuthentication", "peerauthentications"));
    kube.applyAs("istioctl", crd("security.istio.io", "AuthorizationPolicy", "authorizationpolicies"));
    kube.applyAs("istioctl", crd("networking.istio.io", "Gateway", "gateways"));
    for (const o of s.seed ?? []) kube.applyAs("kubectl", o);
    const seeded = JSON.parse(await readFile(join(state, `${ctx}.json`), "utf8")) as Partial<StubCluster>;
    // The API server sees the stand-in's namespaces with the same labels (the injection labels matter).
    for (const [ns, spec] of Object.entries(seeded.namespaces ?? {})) {
      const metadata =
        spec.labels && Object.keys(spec.labels).length > 0 ? { name: ns, labels: spec.labels } : { name: ns };
      kube.applyAs("kubectl", { apiVersion: "v1", kind: "Namespace", metadata });
    }
  }
  const kubeconfig = await writeKubeconfig(
    join(dir, "kubeconfig"),
    contexts.map((name, i) => ({ name, server: kubes[i]! })),
  );

  const fixtureVars = JSON.parse(
    (await readFile(join(FIXTURES, s.fixture, "extra-vars.json"), "utf8")).replaceAll("$CACERTS", cacerts),
  ) as Obj;
  const extraVars = {
    ...fixtureVars,
    istio_mirror: mirror.origin,
    ...s.extraVars?.({ kubeconfig }),
  };
  const env = {
    ...process.env,
    NO_COLOR: "1",
    HOME: home,
    KUBECONFIG: kubeconfig,
    PATH: `${STUBS}:${process.env.PATH}`,
    RUNBOOK_STUB_LOG: join(dir, "calls.jsonl"),
    RUNBOOK_STUB_STATE: state,
    ...s.env,
  };

  const apply = async (args = s.args ?? []): Promise<RunOutcome> => {
    await writeFile(env.RUNBOOK_STUB_LOG, "");
    // Asynchronous: the fake API servers live in this process and must keep answering.
    const argv = [CLI, "apply", join(REPO, "playbooks", s.playbook), "-e", JSON.stringify(extraVars)];
    const r = await run(NODE, [...argv, "--output", "plain", ...args], { cwd: REPO, env }).then(
      (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: typeof e.code === "number" ? e.code : -1,
        stdout: e.stdout ?? "",
        stderr: e.stderr ?? "",
      }),
    );
    const calls = (await readFile(env.RUNBOOK_STUB_LOG, "utf8")).split("\n").filter(Boolean);
    const commands = calls.map((l) => {
      const c = JSON.parse(l) as { tool: string; argv: string[] };
      return `${c.tool} ${c.argv.join(" ")}`.replaceAll(home, "$HOME").replaceAll(cacerts, "$CACERTS");
    });
    return { code: r.code, output: r.stdout + r.stderr, commands };
  };

  const expected = async (n: number) =>
    (await readFile(join(FIXTURES, s.fixture, `commands-run${n}.txt`), "utf8")).split("\n").filter(Boolean);

  try {
    const first = await apply();
    const second = await apply(s.args2 ?? s.args);
    // UPDATE_GOLDEN=1 rewrites the expected commands; review the diff before committing it.
    if (process.env.UPDATE_GOLDEN && s.golden !== false) {
      for (const [n, o] of [first, second].entries()) {
        await writeFile(join(FIXTURES, s.fixture, `commands-run${n + 1}.txt`), `${o.commands.join("\n")}\n`);
      }
    }
    // Read everything the assertions need before the servers stop and the folder goes.
    const objects = kubes.map((k) => k.objects());
    const states: Record<string, StubCluster> = {};
    for (const ctx of contexts) states[ctx] = JSON.parse(await readFile(join(state, `${ctx}.json`), "utf8"));
    return { first, second, expected, objects, states };
  } finally {
    await Promise.all(kubes.map((k) => k.stop()));
    await cleanup();
  }
}

/** `changed=N` of the run's closing summary line. */
function changedCount(output: string): number {
  const all = [...output.matchAll(/\bok=\d+ changed=(\d+)/g)];
  const last = all.at(-1);
  return last ? Number(last[1]) : -1;
}

const labelsOf = (o: Obj | undefined) => (o?.metadata as { labels?: Record<string, string> } | undefined)?.labels;

describe("bundled playbooks against the stand-ins", () => {
  test("dev.yml installs, labels and verifies, then changes nothing", async () => {
    const r = await applyScenario({ fixture: "dev", playbook: "dev.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(labelsOf(find(r.objects[0], "v1", "Namespace", undefined, "default"))).toMatchObject({
      "istio-injection": "enabled",
    });
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  test("dev.yml with install_method helm installs base, istiod and the gateway chart, then changes nothing", async () => {
    const r = await applyScenario({ fixture: "dev-helm", playbook: "dev.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(r.first.commands.some((c) => c.startsWith("istioctl install"))).toBe(false);
    expect(r.states.default?.istio["control-plane"]).toMatchObject({
      version: ISTIO,
      profile: "demo",
      ingressGateway: true,
    });
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(r.second.commands.some((c) => c.startsWith("helm upgrade"))).toBe(false);
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  test("production.yml prechecks, installs HA istiod, applies STRICT mTLS, analyzes; then changes nothing", async () => {
    const r = await applyScenario({ fixture: "production", playbook: "production.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    const pa = find(r.objects[0], "security.istio.io/v1", "PeerAuthentication", "istio-system", "default");
    expect((pa?.spec as { mtls?: { mode?: string } } | undefined)?.mtls?.mode).toBe("STRICT");
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  // istio.io's Helm install with the production settings as chart values (HPA, PDBs, affinity, logs).
  test("production.yml with install_method helm installs base, istiod and gateway with values files, then changes nothing", async () => {
    const r = await applyScenario({ fixture: "production-helm", playbook: "production.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(r.first.commands.some((c) => c.startsWith("istioctl install"))).toBe(false);
    const releases = (r.states.default as unknown as { helmReleases: Record<string, { valuesFiles: string[] }> })
      .helmReleases;
    expect(Object.keys(releases).sort()).toEqual([
      "istio-system/istio-base",
      "istio-system/istio-ingressgateway",
      "istio-system/istiod",
    ]);
    const istiod = parseYaml(releases["istio-system/istiod"]!.valuesFiles[0]!) as Obj;
    expect(istiod).toMatchObject({
      autoscaleEnabled: true,
      autoscaleMin: 2,
      autoscaleMax: 5,
      pdb: { minAvailable: 1 },
      resources: { requests: { cpu: "500m", memory: "2Gi" } },
      traceSampling: 1,
      meshConfig: { accessLogFile: "/dev/stdout", accessLogEncoding: "JSON" },
    });
    // The HPA owns the replica count (both at once reset replicas on each upgrade).
    expect(istiod.replicaCount).toBeUndefined();
    const gateway = parseYaml(releases["istio-system/istio-ingressgateway"]!.valuesFiles[0]!) as Obj;
    expect(gateway).toEqual({
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
      service: { type: "LoadBalancer" },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
      podDisruptionBudget: { minAvailable: 1 },
    });
    expect(r.states.default?.istio["control-plane"]).toMatchObject({ version: ISTIO, ingressPdbMinAvailable: 1 });
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(r.second.commands.some((c) => c.startsWith("helm upgrade"))).toBe(false);
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  // Helm cannot adopt what istioctl installed: stop before helm fails half-way on CRD ownership.
  test("production.yml with install_method helm stops on a control plane istioctl installed", async () => {
    const r = await applyScenario({
      fixture: "production-upgrade",
      playbook: "production.yml",
      extraVars: () => ({ install_method: "helm" }),
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toContain("no Helm release owns (istioctl installed it)");
    expect(r.first.commands.some((c) => c.startsWith("helm upgrade"))).toBe(false);
  }, 60_000);

  // A chart repository (or mirror) without the pinned version: helm's own error fails the run.
  test("production.yml with install_method helm fails when the chart repository lacks istio_version", async () => {
    const r = await applyScenario({
      fixture: "production-helm",
      playbook: "production.yml",
      env: { RUNBOOK_STUB_HELM_CHART_VERSIONS: "1.29.6,1.30.3" },
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toContain('chart "base" version "1.30.4" not found');
    expect(r.first.commands.filter((c) => c.startsWith("helm upgrade"))).toHaveLength(1);
    expect(r.states.default?.istio?.["control-plane"]).toBeUndefined();
  }, 60_000);

  // istio.io in-place upgrade: one minor at a time, then restart the workloads with injection.
  test("production.yml upgrades 1.29.6 in place to 1.30.4, then restarts the injected namespaces", async () => {
    const r = await applyScenario({ fixture: "production-upgrade", playbook: "production.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    const restarts = r.first.commands.filter((c) => c.startsWith("kubectl rollout restart"));
    expect(restarts).toEqual([
      "kubectl rollout restart deployment.apps/ledger -n payments",
      "kubectl rollout restart deployment.apps/cart -n shop",
    ]);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  test("production.yml with a tracer: extensionProviders entry, Telemetry at 0% sampling, gateway PDB", async () => {
    const r = await applyScenario({
      fixture: "production",
      playbook: "production.yml",
      extraVars: () => ({
        trace_sampling: 0,
        tracing: { provider: "opentelemetry", service: "jaeger-collector.observability.svc.cluster.local", port: 4317 },
      }),
      seed: [crd("telemetry.istio.io", "Telemetry", "telemetries")],
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.states.default?.istio["control-plane"]).toMatchObject({
      tracer: "opentelemetry tracing",
      ingressPdbMinAvailable: 1,
    });
    const telemetry = find(r.objects[0], "telemetry.istio.io/v1", "Telemetry", "istio-system", "mesh-default");
    expect(telemetry?.spec).toEqual({ tracing: [{ providers: [{ name: "tracing" }], randomSamplingPercentage: 0 }] });
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  test("production.yml refuses an in-place jump from 1.28.10 to 1.30.4 (more than one minor)", async () => {
    const r = await applyScenario({ fixture: "production-minor-skip", playbook: "production.yml" });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toContain("An in-place upgrade or downgrade moves one minor version at a time");
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(r.first.commands.some((c) => c.startsWith("istioctl install"))).toBe(false);
  }, 60_000);

  // istio.io's canary upgrade: new revision beside the old, namespaces moved one at a time, tags, cleanup.
  test("upgrade.yml canary-upgrades 1.29.6 to revision 1-30-4, moves shop then bookinfo, removes the old revision", async () => {
    const r = await applyScenario({ fixture: "upgrade", playbook: "upgrade.yml" });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    const cluster = r.states.default!;
    expect(Object.values(cluster.istio).map((i) => [i.revision, i.version])).toEqual([["1-30-4", "1.30.4"]]);
    expect(cluster.tags).toEqual({ "prod-canary": "1-30-4", "prod-stable": "1-30-4", default: "1-30-4" });
    for (const ns of ["shop", "bookinfo"]) {
      expect(cluster.namespaces[ns]?.labels).toEqual({ "istio.io/rev": "prod-stable" });
      for (const d of Object.values(cluster.namespaces[ns]?.deployments ?? {})) expect(d.revision).toBe("1-30-4");
    }
    // shop is relabelled, restarted and verified before bookinfo is touched.
    const order = r.first.commands.filter((c) => /label namespace|rollout restart/.test(c));
    expect(order.slice(0, 4)).toEqual([
      "kubectl label namespace shop istio.io/rev=prod-canary istio-injection- --overwrite",
      "kubectl rollout restart deployment.apps/cart -n shop",
      "kubectl label namespace bookinfo istio.io/rev=prod-canary istio-injection- --overwrite",
      "kubectl rollout restart deployment.apps/productpage -n bookinfo",
    ]);
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 90_000);

  test("upgrade.yml refuses to remove the old revision while unlisted namespaces still use it", async () => {
    const r = await applyScenario({
      fixture: "upgrade",
      playbook: "upgrade.yml",
      extraVars: () => ({ namespaces: ["shop"] }),
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toContain("revision default still injects these pods");
    expect(r.first.commands.some((c) => c.includes("uninstall"))).toBe(false);
    expect(Object.keys(r.states.default?.istio ?? {}).sort()).toEqual(["control-plane", "control-plane-1-30-4"]);
  }, 90_000);

  test("upgrade.yml --tags rollback moves shop back to the old revision and uninstalls the new one", async () => {
    const r = await applyScenario({
      fixture: "upgrade-rollback",
      playbook: "upgrade.yml",
      args2: ["--tags", "rollback"],
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.second.code, r.second.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(r.second.commands).toEqual(await r.expected(2));
    const cluster = r.states.default!;
    expect(Object.keys(cluster.istio)).toEqual(["control-plane"]);
    expect(cluster.namespaces.shop?.labels).toEqual({ "istio-injection": "enabled" });
    expect(cluster.namespaces.shop?.deployments?.cart?.revision).toBe("default");
    expect(cluster.tags).toEqual({ default: "default", "prod-stable": "default" });
  }, 90_000);

  test("homelab-k3s.yml (without the k3s stage) deploys and proves the sample app", async () => {
    const r = await applyScenario({
      fixture: "homelab-k3s",
      playbook: "homelab-k3s.yml",
      extraVars: ({ kubeconfig }) => ({ kubeconfig, gateway_api_mirror: mirror.url("gateway-api") }),
      args: ["--skip-tags", "k3s"],
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(labelsOf(find(r.objects[0], "v1", "Namespace", undefined, "demo"))).toMatchObject({
      "istio.io/dataplane-mode": "ambient",
    });
    expect(find(r.objects[0], "apps/v1", "Deployment", "demo", "httpbin")).toBeDefined();
    // Ambient starts with the Gateway API CRDs (they were missing).
    expect(
      find(
        r.objects[0],
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        undefined,
        "gateways.gateway.networking.k8s.io",
      ),
    ).toBeDefined();
    expect(find(r.objects[0], "apps/v1", "Deployment", "demo", "curl")).toBeDefined();
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 60_000);

  test("ambient-migration.yml migrates shop then bookinfo, in the documented order", async () => {
    const r = await applyScenario({
      fixture: "ambient-migration",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    for (const ns of ["shop", "bookinfo"]) {
      expect(find(r.objects[0], "gateway.networking.k8s.io/v1", "Gateway", ns, "waypoint")).toBeDefined();
    }
    // shop already runs a waypoint pod (its only container is istio-proxy): it is not a sidecar, so
    // shop is verified and bookinfo migrated after it, and the L7 reminder is printed for both.
    for (const ns of ["shop", "bookinfo"]) expect(r.first.output).toContain(`${ns} is on ambient.`);
    expect(r.states.default?.namespaces.shop?.labels).toEqual({
      "istio.io/use-waypoint": "waypoint",
      "istio.io/dataplane-mode": "ambient",
    });
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 90_000);

  test("ambient-migration.yml keeps newer Gateway API CRDs (v1.6.1) instead of downgrading them", async () => {
    const newer = parseYaml(gatewayApiCrd("v1.6.1", "standard")) as Obj;
    const r = await applyScenario({
      fixture: "ambient-migration",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
      seed: [newer],
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.output).toContain("Gateway API v1.6.1 (standard) is installed, newer than v1.5.1: left as it is");
    // The pinned file was never downloaded nor applied: the CRD is still v1.6.1's.
    // (the step inside the skipped block is listed as skipped, never as run)
    expect(r.first.output).not.toMatch(/^\s*(ok|changed)\b.*Apply the Gateway API standard CRDs v1\.5\.1/m);
    const crdNow = find(
      r.objects[0],
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      undefined,
      "gateways.gateway.networking.k8s.io",
    );
    expect((crdNow?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations).toMatchObject({
      "gateway.networking.k8s.io/bundle-version": "v1.6.1",
    });
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 90_000);

  test("ambient-migration.yml keeps older Gateway API CRDs (v1.4.1) unless gateway_api_upgrade is set", async () => {
    const older = parseYaml(gatewayApiCrd("v1.4.1", "standard")) as Obj;
    const bundleOf = (objects: Obj[] | undefined) =>
      (
        find(
          objects,
          "apiextensions.k8s.io/v1",
          "CustomResourceDefinition",
          undefined,
          "gateways.gateway.networking.k8s.io",
        )?.metadata as { annotations?: Record<string, string> } | undefined
      )?.annotations?.["gateway.networking.k8s.io/bundle-version"];
    const kept = await applyScenario({
      fixture: "ambient-migration",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
      args: ["--tags", "crds"],
      seed: [older],
      golden: false,
    });
    expect(kept.first.code, kept.first.output).toBe(0);
    expect(kept.first.output).toContain("Gateway API v1.4.1 is installed, older than v1.5.1: left as it is.");
    expect(bundleOf(kept.objects[0])).toBe("v1.4.1");
    const upgraded = await applyScenario({
      fixture: "ambient-migration",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api"), gateway_api_upgrade: true }),
      args: ["--tags", "crds"],
      seed: [older],
      golden: false,
    });
    expect(upgraded.first.code, upgraded.first.output).toBe(0);
    expect(bundleOf(upgraded.objects[0])).toBe("v1.5.1");
    // Upgraded once: the second run finds v1.5.1 and applies nothing.
    expect(upgraded.second.output).toContain("Gateway API v1.5.1 (standard) is already installed.");
    expect(changedCount(upgraded.second.output), upgraded.second.output).toBe(0);
  }, 90_000);

  // Same engine needs as above (the whole playbook is checked before it runs).
  test("ambient-migration.yml stops on PeerAuthentication DISABLE before changing the cluster", async () => {
    const r = await applyScenario({
      fixture: "ambient-migration-blocked",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
    });
    expect(r.first.code).toBe(1);
    expect(r.first.output).toContain("PeerAuthentication has mode DISABLE");
    expect(r.first.commands).toEqual(await r.expected(1));
    // Only what the test seeded: the Gateway API CRDs were never applied.
    expect(r.objects[0]?.filter((o) => o.kind === "CustomResourceDefinition").length).toBe(3);
  }, 60_000);

  test("ambient-migration.yml stops on SPIRE before changing the cluster", async () => {
    const r = await applyScenario({
      fixture: "ambient-migration-spire",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
    });
    expect(r.first.code).toBe(1);
    expect(r.first.output).toContain("ambient mode does not support the SPIRE integration");
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(r.first.commands.some((c) => c.startsWith("istioctl install") || c.includes(" label "))).toBe(false);
  }, 60_000);

  test("ambient-migration.yml refuses to remove injection while sidecars do not speak HBONE", async () => {
    // --tags upgrade,enable skips [restart]: the sidecars still run without ISTIO_META_ENABLE_HBONE.
    const r = await applyScenario({
      fixture: "ambient-migration",
      playbook: "ambient-migration.yml",
      extraVars: () => ({ gateway_api_mirror: mirror.url("gateway-api") }),
      args: ["--tags", "upgrade,enable"],
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toContain("sidecars in shop lack ISTIO_META_ENABLE_HBONE=true");
    expect(r.first.commands.some((c) => c.includes("istio-injection-"))).toBe(false);
    expect(r.states.default?.namespaces.shop?.labels).toMatchObject({ "istio.io/rev": "default" });
  }, 90_000);

  test("ambient-migration.yml installs your IstioOperator plus an ambient overlay, and lists L7-only policies", async () => {
    let original = "";
    const r = await applyScenario({
      fixture: "ambient-migration-operator-file",
      playbook: "ambient-migration.yml",
      extraVars: ({ kubeconfig }) => {
        original = join(dirname(kubeconfig), "original-iop.yaml");
        writeFileSync(
          original,
          "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: mine\n  namespace: istio-system\nspec:\n  profile: default\n  hub: registry.internal/istio\n",
        );
        return { gateway_api_mirror: mirror.url("gateway-api"), operator_file: original };
      },
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toContain(
      `istioctl install -f ${original} -f $HOME/.runbook/ambient-migration/ambient-overlay.yaml -y`,
    );
    expect(r.states.default?.istio["control-plane"]).toMatchObject({
      name: "mine",
      profile: "ambient",
      ingressGateway: true,
    });
    for (const p of [
      "AuthorizationPolicy|shop/ext-authz|CUSTOM|",
      "AuthorizationPolicy|bookinfo/audit-all|AUDIT|",
      "RequestAuthentication|shop/jwt||",
      "WasmPlugin|bookinfo/basic-auth||",
    ]) {
      expect(r.first.output).toContain(`${p}: ztunnel cannot enforce this`);
    }
    expect(r.first.output).not.toContain("allow-reviews|ALLOW|: ztunnel");
    expect(r.first.output).not.toMatch(/bound-custom\|CUSTOM\|[^\n]*: ztunnel/);
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 90_000);

  test("multicluster-east-west.yml cross-applies remote secrets between two contexts", async () => {
    const r = await applyScenario({
      fixture: "multicluster-east-west",
      playbook: "multicluster-east-west.yml",
      contexts: ["cluster1", "cluster2"],
    });
    expect(r.first.code, r.first.output).toBe(0);
    expect(r.first.commands).toEqual(await r.expected(1));
    expect(Object.keys(r.states.cluster1?.secrets ?? {})).toContain("istio-system/istio-remote-secret-cluster2");
    expect(Object.keys(r.states.cluster2?.secrets ?? {})).toContain("istio-system/istio-remote-secret-cluster1");
    for (const objects of r.objects) {
      expect(find(objects, "networking.istio.io/v1", "Gateway", "istio-system", "cross-network-gateway")).toBeDefined();
    }
    expect(r.second.commands).toEqual(await r.expected(2));
    expect(changedCount(r.second.output), r.second.output).toBe(0);
  }, 90_000);

  test("multicluster-east-west.yml stops early when a remote secret would carry the kubeconfig's 127.0.0.1 server", async () => {
    const r = await applyScenario({
      fixture: "multicluster-east-west",
      playbook: "multicluster-east-west.yml",
      contexts: ["cluster1", "cluster2"],
      // cluster1 has no api_server: its kubeconfig server (the fake API server, 127.0.0.1) would be used.
      extraVars: () => ({
        clusters: [
          { name: "cluster1", context: "cluster1", network: "network1", api_server: "" },
          { name: "cluster2", context: "cluster2", network: "network2", api_server: "https://192.0.2.2:6443" },
        ],
      }),
      golden: false,
    });
    expect(r.first.code, r.first.output).toBe(1);
    expect(r.first.output).toMatch(/the kubeconfig of cluster1 names the API server https:\/\/127\.0\.0\.1:\d+/);
    expect(r.first.commands).toEqual([
      "kubectl config view --minify --context=cluster1 -o jsonpath={.clusters[0].cluster.server}",
    ]);
  }, 60_000);
});
