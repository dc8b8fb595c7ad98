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

/** What the API server fills in when a manifest leaves it out (a few of a Deployment's scalar defaults). */
export function applyDefaults(kind: string, obj: Obj): void {
  if (kind !== "Deployment") return;
  const spec = (obj.spec ?? {}) as Obj;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
  // Defaults inside lists (a container's imagePullPolicy, a port's protocol) are left out: the stand-in's
  // lists are atomic, so they would make two managers applying the same list conflict.
}
