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
