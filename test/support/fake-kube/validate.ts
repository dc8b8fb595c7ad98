/** A cause in a 422 Status, as the API server reports it. */
export interface Cause {
  reason: "FieldValueInvalid" | "FieldValueRequired";
  field: string;
  message: string;
}

type Obj = Record<string, unknown>;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/**
 * A handful of the API server's validation rules: enough for clients to meet a realistic 422
 * (names, workload selectors, replica counts), nowhere near OpenAPI schema validation.
 */
export function validate(kind: string, obj: Obj): Cause[] {
  const causes: Cause[] = [];
  const meta = (obj.metadata ?? {}) as Obj;
  const name = meta.name;
  if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({
      reason: "FieldValueInvalid",
      field: "metadata.name",
      message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    });
  }
  if (kind === "Pod") causes.push(...podSpec((obj.spec ?? {}) as Obj, "spec"));
  if (!WORKLOADS.has(kind)) return causes;
  const spec = (obj.spec ?? {}) as Obj;
  const template = (spec.template as Obj | undefined)?.spec;
  if (template) causes.push(...podSpec(template as Obj, "spec.template.spec"));
  const replicas = spec.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0)) {
    causes.push({
      reason: "FieldValueInvalid",
      field: "spec.replicas",
      message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    });
  }
  const selector = (spec.selector as Obj | undefined)?.matchLabels as Obj | undefined;
  if (!selector) {
    causes.push({ reason: "FieldValueRequired", field: "spec.selector", message: "Required value" });
    return causes;
  }
  const labels = (((spec.template as Obj | undefined)?.metadata as Obj | undefined)?.labels ?? {}) as Obj;
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    causes.push({
      reason: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
      message: "Invalid value: `selector` does not match template `labels`",
    });
  }
  return causes;
}

/** A volume's `defaultMode` is 0..0777 and booleans are booleans: what a YAML 1.2 reader gets wrong. */
function podSpec(spec: Obj, at: string): Cause[] {
  const causes: Cause[] = [];
  const auto = spec.automountServiceAccountToken;
  if (auto !== undefined && typeof auto !== "boolean")
    causes.push({
      reason: "FieldValueInvalid",
      field: `${at}.automountServiceAccountToken`,
      message: `Invalid value: ${JSON.stringify(auto)}: expected boolean`,
    });
  for (const [i, v] of ((spec.volumes ?? []) as Obj[]).entries()) {
    for (const source of ["secret", "configMap", "projected", "downwardAPI"]) {
      const mode = (v[source] as Obj | undefined)?.defaultMode;
      if (mode === undefined) continue;
      if (!Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o777)
        causes.push({
          reason: "FieldValueInvalid",
          field: `${at}.volumes[${i}].${source}.defaultMode`,
          message: `Invalid value: ${JSON.stringify(mode)}: must be a number between 0 and 0777 (octal), both inclusive`,
        });
    }
  }
  return causes;
}

// The schema's top-level fields of a few kinds: enough to meet an unknown field.
const KNOWN: Record<string, { top: string[]; spec?: string[] }> = {
  ConfigMap: { top: ["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"] },
  Deployment: {
    top: ["apiVersion", "kind", "metadata", "spec", "status"],
    spec: [
      "replicas",
      "selector",
      "template",
      "strategy",
      "minReadySeconds",
      "revisionHistoryLimit",
      "paused",
      "progressDeadlineSeconds",
    ],
  },
};

/** Fields the kind's schema does not declare (`.spec.replicass`): fieldValidation Strict rejects them, Warn warns. */
export function unknownFields(kind: string, obj: Obj): string[] {
  const known = KNOWN[kind];
  if (!known) return [];
  const out = Object.keys(obj)
    .filter((k) => !known.top.includes(k))
    .map((k) => `.${k}`);
  const spec = obj.spec as Obj | undefined;
  if (known.spec && spec)
    out.push(
      ...Object.keys(spec)
        .filter((k) => !known.spec!.includes(k))
        .map((k) => `.spec.${k}`),
    );
  return out;
}

const isMap = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Allocates what the server hands out: a Service's cluster IP and node ports. */
export interface Allocator {
  clusterIP(): string;
  nodePort(): number;
}

/**
 * What the API server fills in when a manifest leaves it out: a Deployment's scalar defaults, a pod
 * template's and its containers' (imagePullPolicy, terminationMessagePath, ports' protocol), a Service's
 * type, cluster IP and ports' protocol and targetPort. Nobody owns these fields, so they stay through
 * re-applies and make no change for a client that compares content.
 */
export function applyDefaults(kind: string, obj: Obj, alloc: Allocator): void {
  const spec = (obj.spec ?? {}) as Obj;
  if (kind === "Service") serviceDefaults(spec, alloc);
  if (kind === "Pod") podDefaults(spec);
  if (!WORKLOADS.has(kind)) return;
  if (kind === "Deployment") {
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
  }
  const template = spec.template as Obj | undefined;
  if (isMap(template?.spec)) podDefaults(template.spec);
}

function podDefaults(spec: Obj): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  for (const list of ["containers", "initContainers"]) {
    for (const c of (Array.isArray(spec[list]) ? spec[list] : []) as Obj[]) {
      if (!isMap(c)) continue;
      // As the API server: an image without a tag, or tagged latest, is pulled every time.
      const image = String(c.image ?? "");
      const tag = image.includes("@") ? "digest" : /:([^/:]+)$/.exec(image)?.[1];
      c.imagePullPolicy ??= tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
      c.terminationMessagePath ??= "/dev/termination-log";
      c.terminationMessagePolicy ??= "File";
      c.resources ??= {};
      for (const port of (Array.isArray(c.ports) ? c.ports : []) as Obj[]) if (isMap(port)) port.protocol ??= "TCP";
    }
  }
}

function serviceDefaults(spec: Obj, alloc: Allocator): void {
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  if (spec.type !== "ExternalName") {
    spec.clusterIP ??= alloc.clusterIP();
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    spec.internalTrafficPolicy ??= "Cluster";
  }
  const external = spec.type === "NodePort" || spec.type === "LoadBalancer";
  if (external) spec.externalTrafficPolicy ??= "Cluster";
  for (const port of (Array.isArray(spec.ports) ? spec.ports : []) as Obj[]) {
    if (!isMap(port)) continue;
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
    if (external) port.nodePort ??= alloc.nodePort();
  }
}
