/** What the stand-in serves: a kind, its plural resource name and whether it lives in a namespace. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
}

type Row = [group: string, version: string, kind: string, plural: string, namespaced: boolean];

// The built-in kinds the Istio playbooks touch; everything else arrives through CRDs, as on a real cluster.
const BUILTIN: Row[] = [
  ["", "v1", "Namespace", "namespaces", false],
  ["", "v1", "ConfigMap", "configmaps", true],
  ["", "v1", "Secret", "secrets", true],
  ["", "v1", "Service", "services", true],
  ["", "v1", "ServiceAccount", "serviceaccounts", true],
  ["", "v1", "Pod", "pods", true],
  ["apps", "v1", "Deployment", "deployments", true],
  ["apps", "v1", "StatefulSet", "statefulsets", true],
  ["apps", "v1", "DaemonSet", "daemonsets", true],
  ["batch", "v1", "Job", "jobs", true],
  ["rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false],
  ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false],
  ["rbac.authorization.k8s.io", "v1", "Role", "roles", true],
  ["rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true],
  ["admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false],
  ["admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false],
  ["policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true],
  ["autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true],
  ["apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false],
];

export const builtinTypes: ResourceType[] = BUILTIN.map(([group, version, kind, plural, namespaced]) => ({
  group,
  version,
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
}));

export function groupVersion(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The served types of an Established CRD, one per served version. */
export function typesFromCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = (crd.spec ?? {}) as Record<string, unknown>;
  const names = (spec.names ?? {}) as Record<string, string>;
  const versions = (spec.versions ?? []) as Array<{ name?: string; served?: boolean }>;
  if (typeof spec.group !== "string" || !names.kind || !names.plural) return [];
  return versions
    .filter((v) => v.name && v.served !== false)
    .map((v) => ({
      group: spec.group as string,
      version: v.name as string,
      kind: names.kind as string,
      plural: names.plural as string,
      singular: names.singular ?? names.kind!.toLowerCase(),
      namespaced: spec.scope !== "Cluster",
    }));
}

/** `/api` or `/apis` (legacy discovery documents; aggregated discovery is not offered, clients fall back). */
export function discoveryRoot(types: ResourceType[], core: boolean): Record<string, unknown> {
  if (core) return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] };
  const groups = new Map<string, Set<string>>();
  for (const t of types) {
    if (!t.group) continue;
    const set = groups.get(t.group) ?? new Set();
    set.add(t.version);
    groups.set(t.group, set);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => {
      const list = [...versions].map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: list, preferredVersion: list[0] };
    }),
  };
}

export function resourceList(types: ResourceType[], gv: string): Record<string, unknown> | undefined {
  const matching = types.filter((t) => groupVersion(t) === gv);
  if (matching.length === 0) return undefined;
  const verbs = ["create", "delete", "get", "list", "patch", "update"];
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: matching.map((t) => ({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs,
    })),
  };
}
