import { describe, type KubeClient, type Obj, type ResourceInfo, refOf } from "./client.js";
import { KubeError } from "./errors.js";

/** An object ready to send: its kind resolved through discovery, its namespace settled. */
export interface Prepared {
  obj: Obj;
  info: ResourceInfo;
}

const meta = (o: Obj): Obj => (o.metadata ?? {}) as Obj;
const FIRST = new Set(["Namespace", "CustomResourceDefinition"]);

/** Namespaces and CRDs go first: everything else may live in them or be of their kinds. */
export function phases(objects: Obj[]): [first: Obj[], rest: Obj[]] {
  return [objects.filter((o) => FIRST.has(String(o.kind))), objects.filter((o) => !FIRST.has(String(o.kind)))];
}

/** Every document must name its apiVersion, kind and metadata.name. */
export function checkShape(objects: unknown[]): Obj[] {
  return objects.map((o, i) => {
    const obj = o as Obj;
    const missing = ["apiVersion", "kind"].filter((k) => typeof obj?.[k] !== "string");
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new KubeError("invalid", `manifest document ${i + 1} is not a mapping`);
    }
    if (typeof meta(obj).name !== "string") missing.push("metadata.name");
    if (missing.length) {
      const what = typeof obj.kind === "string" ? `${obj.kind} (document ${i + 1})` : `manifest document ${i + 1}`;
      throw new KubeError("invalid", `${what} has no ${missing.join(", ")}`);
    }
    return obj;
  });
}

/**
 * Resolve the kind and settle the namespace: a namespaced object without one gets `namespace` (the step's)
 * or the context's; a cluster-scoped one loses any namespace (the API server would reject it).
 */
export async function prepare(client: KubeClient, obj: Obj, namespace: string | undefined): Promise<Prepared> {
  const info = await client.resolve(String(obj.apiVersion), String(obj.kind));
  const m = { ...meta(obj) };
  if (info.namespaced) m.namespace ??= namespace ?? client.defaultNamespace;
  else delete m.namespace;
  return { obj: { ...obj, metadata: m }, info };
}

/** The CRDs in a batch define these `group/Kind`s. */
export function kindsDefinedBy(objects: Obj[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = (o.spec ?? {}) as { group?: string; names?: { kind?: string } };
    if (spec.group && spec.names?.kind) out.add(`${spec.group}/${spec.names.kind}`);
  }
  return out;
}

export function groupKind(obj: Obj): string {
  const apiVersion = String(obj.apiVersion);
  return `${apiVersion.includes("/") ? apiVersion.split("/")[0] : ""}/${String(obj.kind)}`;
}

/** Run `fn` over items with at most `limit` at once; results keep the input order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  const errors: Array<{ i: number; e: unknown }> = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        errors.push({ i, e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  // The first failure in document order, whatever order the requests finished in.
  if (errors.length) throw errors.sort((a, b) => a.i - b.i)[0]!.e;
  return out;
}

export const label = (obj: Obj): string => describe(refOf(obj));
