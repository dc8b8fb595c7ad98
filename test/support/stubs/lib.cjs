// Shared machinery of the recording stand-ins in test/support/bin (istioctl, kubectl, helm).
//
// They are NOT the real tools. They exist so the end-to-end tests of the bundled playbooks can run
// without a cluster: each records how it was called and answers the probes the playbooks make with
// canned output in the real tool's format, driven by a small state directory.
//
// Environment:
//   RUNBOOK_STUB_LOG    file that gets one JSON line per call:
//                       {"tool","argv","cwd","context","env":{"KUBECONFIG"},"stdin"?}
//                       (stdin only when the call read it, e.g. `kubectl apply -f -`)
//   RUNBOOK_STUB_STATE  folder holding one <context>.json per kube context (see `emptyCluster`), plus
//                       an optional `current-context` file naming the context used without --context
//                       (default "default"). Tests seed it; the stubs update it as they "change" things.
//   RUNBOOK_STUB_ISTIOCTL_VERSION  version istioctl reports as its own and installs (default 1.30.4)
//   RUNBOOK_STUB_KUBECTL_VERSION   kubectl client version (default 1.36.4)
//   RUNBOOK_STUB_HELM_VERSION      helm client version (default 4.3.0)
//   RUNBOOK_STUB_HTTP_CODE         what `kubectl exec ... curl -w %{http_code}` prints (default 200)
"use strict";

const fs = require("node:fs");
const path = require("node:path");

/** The state of one stand-in cluster. Every field is optional in a seeded file. */
function emptyCluster() {
  return {
    // name -> { labels, annotations, deployments: { name -> { sidecar: bool, hbone: bool } },
    //          waypoints: [names of waypoint Gateways whose pods run, container istio-proxy] }
    namespaces: {},
    // "control-plane" (the control plane of revision "default"), "control-plane-<revision>" (one per
    // revision, as `istioctl install` with spec.revision makes) and gateway-only IstioOperators by
    // metadata.name -> { version, name, profile, revision, ingressGateway, cni, eastwest, file }
    istio: {},
    // "<namespace>/<name>" -> { labels, data: { key -> source } }
    secrets: {},
    // objects applied with `kubectl apply -f -`: "<Kind>/<namespace>/<name>" -> manifest text
    applied: {},
    // [{ namespace, name, mode }] answered to `kubectl get peerauthentications -A -o yaml`
    peerAuthentications: [],
    // ["workloadentry.networking.istio.io/vm-1", ...] answered to the VM workload probe
    vmWorkloads: [],
    // istiod runs with EXTERNAL_ISTIOD=true (a primary with remotes)
    externalIstiod: false,
    // service accounts created by `istioctl create-remote-secret`
    serviceAccounts: [],
    // address of the east-west gateway's LoadBalancer once it is installed
    eastwestAddress: "192.0.2.10",
    // non-empty: `istioctl x precheck` prints it and exits 1
    precheckIssues: "",
    // non-empty: `istioctl analyze` prints it and exits 79
    analyzeIssues: "",
    // helm releases: "<namespace>/<name>" -> { chart, revision, args }
    helmReleases: {},
    // revision tags (`istioctl tag set`): tag -> revision
    tags: {},
    // CRD names `kubectl get crd <name>` finds (e.g. "clusterspiffeids.spire.spiffe.io" for SPIRE)
    crds: [],
    // [{ kind, namespace, name, action, targetRefs }]: AuthorizationPolicies, RequestAuthentications,
    // WasmPlugins answered to the migrate-policies probe
    policies: [],
  };
}

function stateDir() {
  const dir = process.env.RUNBOOK_STUB_STATE;
  if (!dir) fail("RUNBOOK_STUB_STATE is not set: this is a test stand-in, not the real tool", 2);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `--context=x`, `--context x` or `--kube-context x` (helm); else the current-context file; else "default". */
function contextOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    for (const flag of ["--context", "--kube-context"]) {
      if (a === flag) return argv[i + 1];
      if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    }
  }
  const file = path.join(stateDir(), "current-context");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "default";
}

function load(context) {
  const file = path.join(stateDir(), `${context}.json`);
  const seeded = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  return { ...emptyCluster(), ...seeded };
}

function save(context, cluster) {
  const file = path.join(stateDir(), `${context}.json`);
  fs.writeFileSync(file, `${JSON.stringify(cluster, null, 2)}\n`);
}

function record(tool, argv, extra) {
  const log = process.env.RUNBOOK_STUB_LOG;
  if (!log) return;
  const line = {
    tool,
    argv,
    cwd: process.cwd(),
    context: contextOf(argv),
    env: { KUBECONFIG: process.env.KUBECONFIG ?? null },
    ...extra,
  };
  fs.appendFileSync(log, `${JSON.stringify(line)}\n`);
}

function readStdin() {
  try {
    return fs.readFileSync(0, "utf8");
  } catch {
    return "";
  }
}

/** Value of `-f x`, `-n x`, `--namespace=x` style flags. */
function flag(argv, ...names) {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1];
      if (n.startsWith("--") && argv[i].startsWith(`${n}=`)) return argv[i].slice(n.length + 1);
    }
  }
  return undefined;
}

/** Positional arguments: argv without flags and their values. */
function positionals(argv, flagsWithValue) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (!a.includes("=") && flagsWithValue.includes(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function out(text) {
  if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

function fail(message, code = 1) {
  process.stderr.write(message.endsWith("\n") ? message : `${message}\n`);
  process.exit(code);
}

/** What an IstioOperator file installs, read the way a test needs it (not a YAML parser). */
function describeOperator(text) {
  const name = /^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*"?([\w.-]+)"?/m.exec(text)?.[1] ?? "installed-state";
  const profile = /^\s+profile:\s*"?([\w-]+)"?/m.exec(text)?.[1] ?? "default";
  const ingress = /- name: istio-ingressgateway\s*\n\s+enabled:\s*(true|false)/.exec(text)?.[1];
  const ingressGateway = ingress === undefined ? ["default", "demo"].includes(profile) : ingress === "true";
  const cni = profile === "ambient" || /\n\s+cni:\s*\n\s+enabled:\s*true/.test(text);
  const eastwest = /istio-eastwestgateway/.test(text);
  const revision = /^ {2}revision:\s*"?([\w.-]+)"?/m.exec(text)?.[1] ?? "default";
  // meshConfig.extensionProviders' first tracer, e.g. "opentelemetry tracing" (kind and name).
  const tracer = /extensionProviders:\s*\n\s+- name:\s*"?([\w.-]+)"?\s*\n\s+(opentelemetry|zipkin):/.exec(text);
  const pdb = /- name: istio-ingressgateway[\s\S]*?podDisruptionBudget:\s*\n\s+minAvailable:\s*(\d+)/.exec(text)?.[1];
  return {
    name,
    profile,
    revision,
    ingressGateway,
    cni,
    eastwest,
    ...(tracer ? { tracer: `${tracer[2]} ${tracer[1]}` } : {}),
    ...(pdb ? { ingressPdbMinAvailable: Number(pdb) } : {}),
  };
}

/** The control-plane revisions installed: [{ revision, version }], by revision name. */
function revisions(cluster) {
  return Object.values(cluster.istio)
    .filter((i) => !i.eastwest)
    .map((i) => ({ revision: i.revision ?? "default", version: i.version }))
    .sort((a, b) => a.revision.localeCompare(b.revision));
}

/**
 * The revision whose injector serves a namespace with these labels, as istiod's webhooks decide:
 * istio.io/rev names a revision or a tag; istio-injection=enabled goes to the tag "default", else
 * the revision "default". null: no installed revision injects it.
 */
function injectingRevision(cluster, labels) {
  const installed = new Set(revisions(cluster).map((r) => r.revision));
  const rev = labels["istio.io/rev"];
  const wanted =
    rev !== undefined
      ? (cluster.tags?.[rev] ?? rev)
      : labels["istio-injection"] === "enabled"
        ? (cluster.tags?.default ?? "default")
        : null;
  return wanted !== null && installed.has(wanted) ? wanted : null;
}

/** Facts about the control plane of a cluster, from the recorded installs. */
function controlPlane(cluster) {
  const installs = Object.values(cluster.istio);
  const main = installs.filter((i) => !i.eastwest);
  return {
    installed: main.length > 0,
    version: main.map((i) => i.version)[0],
    ambient: main.some((i) => i.profile === "ambient"),
    cni: main.some((i) => i.cni),
    ingressGateway: main.some((i) => i.ingressGateway),
    eastwest: installs.some((i) => i.eastwest),
  };
}

module.exports = {
  contextOf,
  controlPlane,
  describeOperator,
  emptyCluster,
  fail,
  flag,
  injectingRevision,
  load,
  out,
  positionals,
  readStdin,
  record,
  revisions,
  save,
};
