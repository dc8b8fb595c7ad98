import { describe, type KubeClient, type Obj, refOf } from "./client.js";
import { KubeError } from "./errors.js";
import { groupKind, kindsDefinedBy, type Prepared, phases, pool, prepare } from "./order.js";
import type { WaitCondition } from "./readiness.js";
import { type WaitItem, waitFor } from "./wait.js";

export type ObjectAction = "created" | "configured" | "unchanged" | "deleted" | "absent";

/** One line of a k8s step's result. */
export interface ObjectResult {
  kind: string;
  namespace?: string | undefined;
  name: string;
  action: ObjectAction;
}

export interface ApplyOptions {
  /** Default namespace for namespaced objects that name none. */
  namespace?: string | undefined;
  force: boolean;
  wait: boolean;
  waitTimeoutMs: number;
  waitCondition?: WaitCondition | undefined;
  signal?: AbortSignal | undefined;
  progress?: ((message: string, current?: number, total?: number) => void) | undefined;
}

// Requests in flight per step: enough to hide round trips, few enough to be kind to an API server.
const CONCURRENCY = 8;
const rv = (o: Obj | undefined) => (o?.metadata as Obj | undefined)?.resourceVersion;

function resultOf(p: Prepared, action: ObjectAction): ObjectResult {
  const ref = refOf(p.obj);
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name, action };
}

const waitItem = (p: Prepared): WaitItem => ({ ref: refOf(p.obj), info: p.info });

// From this many objects of one kind in one namespace, one LIST beats a GET each.
const LIST_FROM = 5;
type Prior = Map<string, unknown>;
const priorKey = (p: Prepared) =>
  `${p.info.apiVersion}/${p.info.kind}/${refOf(p.obj).namespace ?? ""}/${refOf(p.obj).name}`;

/** resourceVersions of the objects that exist now, read with one LIST per large kind/namespace group. */
async function readPrior(client: KubeClient, batch: Prepared[]): Promise<Prior> {
  const groups = new Map<string, Prepared[]>();
  for (const p of batch) {
    const key = `${p.info.apiVersion}/${p.info.kind}/${refOf(p.obj).namespace ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const prior: Prior = new Map();
  for (const members of groups.values()) {
    if (members.length < LIST_FROM) continue;
    const { info } = members[0]!;
    const namespace = refOf(members[0]!.obj).namespace;
    for (const p of members) prior.set(priorKey(p), undefined);
    const live = await client.list(info.apiVersion, info.kind, { namespace });
    for (const o of live) prior.set(priorKey({ obj: o, info }), rv(o) ?? null);
  }
  return prior;
}

async function applyOne(client: KubeClient, p: Prepared, force: boolean, prior: Prior): Promise<ObjectResult> {
  const key = priorKey(p);
  const before = prior.has(key) ? prior.get(key) : rv(await client.get(refOf(p.obj), p.info));
  const after = await client.apply(p.obj, p.info, { force, dryRun: false });
  // A no-op apply keeps resourceVersion: that is how "unchanged" is told from "configured".
  return resultOf(p, before === undefined ? "created" : before === rv(after) ? "unchanged" : "configured");
}

/**
 * Server-side apply in a safe order: Namespaces and CRDs first; then, once those CRDs are Established and
 * discovery is refreshed, everything else. With `wait`, waits for what each object is (see readiness.ts).
 */
export async function applyAll(client: KubeClient, objects: Obj[], opts: ApplyOptions): Promise<ObjectResult[]> {
  const [first, rest] = phases(objects);
  const total = objects.length;
  let done = 0;
  let prior: Prior = new Map();
  const step = async (p: Prepared) => {
    const r = await applyOne(client, p, opts.force, prior);
    opts.progress?.(`applied ${describe(r)} (${r.action})`, ++done, total);
    return r;
  };
  const early = await pool(first, CONCURRENCY, (o) => prepare(client, o, opts.namespace));
  prior = await readPrior(client, early);
  const results = await pool(early, CONCURRENCY, step);
  const crds = early.filter((p) => p.obj.kind === "CustomResourceDefinition");
  if (crds.length > 0) {
    const pendingKinds = kindsDefinedBy(objects);
    // Custom resources of these kinds cannot be applied before their CRDs are Established.
    if (rest.some((o) => pendingKinds.has(groupKind(o))) || opts.wait) {
      await waitFor(client, crds.map(waitItem), { ...opts, timeoutMs: opts.waitTimeoutMs, condition: undefined });
    }
    client.refreshDiscovery();
  }
  const late = await pool(rest, CONCURRENCY, (o) => prepare(client, o, opts.namespace));
  prior = await readPrior(client, late);
  results.push(...(await pool(late, CONCURRENCY, step)));
  if (opts.wait) {
    const items = late.map(waitItem);
    await waitFor(client, items, { ...opts, timeoutMs: opts.waitTimeoutMs, condition: opts.waitCondition });
  }
  return results;
}

/** Delete in reverse order (custom resources before their CRDs, Namespaces last); `wait` waits until gone. */
export async function deleteAll(client: KubeClient, objects: Obj[], opts: ApplyOptions): Promise<ObjectResult[]> {
  const [first, rest] = phases(objects);
  const ordered = [...rest.reverse(), ...first.reverse()];
  const results: ObjectResult[] = [];
  const deleted: WaitItem[] = [];
  for (const obj of ordered) {
    let p: Prepared;
    try {
      p = await prepare(client, obj, opts.namespace);
    } catch (e) {
      // The kind is gone (its CRD was deleted), so the object is too.
      if (e instanceof KubeError && e.kind === "unknown-kind") {
        results.push({
          ...resultOf({ obj, info: { apiVersion: "", kind: "", plural: "", namespaced: false } }, "absent"),
        });
        continue;
      }
      throw e;
    }
    const gone = (await client.delete(refOf(p.obj), p.info, { dryRun: false })) === undefined;
    results.push(resultOf(p, gone ? "absent" : "deleted"));
    if (!gone) deleted.push(waitItem(p));
    opts.progress?.(
      `${gone ? "already absent" : "deleted"}: ${describe(refOf(p.obj))}`,
      results.length,
      ordered.length,
    );
  }
  if (opts.wait && deleted.length > 0)
    await waitFor(client, deleted, { ...opts, timeoutMs: opts.waitTimeoutMs, gone: true });
  return results;
}
