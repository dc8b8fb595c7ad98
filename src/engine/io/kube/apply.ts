import { describe, FIELD_MANAGER, type KubeClient, type Obj, refOf } from "./client.js";
import { compactDiff } from "./diff.js";
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
  /** Filled as objects are applied or deleted: what a failed step still reports. */
  done?: ObjectResult[] | undefined;
  progress?: ((message: string, current?: number, total?: number) => void) | undefined;
}

// Requests in flight per step: enough to hide round trips, few enough to be kind to an API server.
const CONCURRENCY = 8;
const isDying = (o: Obj | undefined) => Boolean((o?.metadata as Obj | undefined)?.deletionTimestamp);

function resultOf(p: Prepared, action: ObjectAction): ObjectResult {
  const ref = refOf(p.obj);
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name, action };
}

const waitItem = (p: Prepared): WaitItem => ({ ref: refOf(p.obj), info: p.info });

/**
 * GET, then apply. `changed` comes from the content (what `plan`'s dry run compares too), not from
 * resourceVersion, which controllers bump with every status write. An object still being deleted is waited
 * for first: applying to it would "configure" something about to vanish (kubectl waits the same way).
 */
async function applyOne(client: KubeClient, p: Prepared, opts: ApplyOptions, fresh: boolean): Promise<ObjectResult> {
  // In a namespace this step has just created (or of a kind whose CRD it has just created) nothing exists
  // yet: no GET. Should the server still say it was there (201 is not the answer), it counts as configured.
  if (fresh) {
    const { created } = await client.applied(p.obj, p.info, { force: opts.force, dryRun: false });
    return resultOf(p, created ? "created" : "configured");
  }
  let before = await client.get(refOf(p.obj), p.info);
  if (isDying(before)) {
    opts.progress?.(`waiting for the deletion of ${describe(refOf(p.obj))} to finish before applying it`);
    await waitFor(client, [waitItem(p)], { timeoutMs: opts.waitTimeoutMs, gone: true, signal: opts.signal });
    before = undefined;
  }
  const { object: after, created } = await client.applied(p.obj, p.info, { force: opts.force, dryRun: false });
  // Created by someone else between the GET and the apply: ours configured it.
  if (!before) return resultOf(p, created ? "created" : "configured");
  return resultOf(p, contentChanged(before, after) ? "configured" : "unchanged");
}

/** Is the object in a namespace, or of a kind, that this step created a moment ago? */
function inCreated(p: Prepared, namespaces: Set<string>, kinds: Set<string>): boolean {
  const ns = (p.obj.metadata as Obj | undefined)?.namespace;
  return (p.info.namespaced && typeof ns === "string" && namespaces.has(ns)) || kinds.has(groupKind(p.obj));
}

/** The fields runbook's field manager owns: taking or giving up a field is a change even at the same value. */
export function ownedByRunbook(o: Obj): string {
  const entries = ((o.metadata as Obj | undefined)?.managedFields ?? []) as Obj[];
  const mine = entries.find((e) => e.manager === FIELD_MANAGER && e.operation === "Apply");
  return JSON.stringify(mine?.fieldsV1 ?? null);
}

/** Did the object's content (status and server bookkeeping aside) or runbook's field set change? */
export function contentChanged(before: Obj, after: Obj): boolean {
  return compactDiff(before, after).length > 0 || ownedByRunbook(before) !== ownedByRunbook(after);
}

/**
 * Server-side apply in a safe order: Namespaces and CRDs first; then, once those CRDs are Established and
 * discovery is refreshed, everything else. With `wait`, waits for what each object is (see readiness.ts).
 */
export async function applyAll(client: KubeClient, objects: Obj[], opts: ApplyOptions): Promise<ObjectResult[]> {
  const [first, rest] = phases(objects);
  const total = objects.length;
  let done = 0;
  const createdNamespaces = new Set<string>();
  const createdKinds = new Set<string>();
  const step = async (p: Prepared) => {
    const r = await applyOne(client, p, opts, inCreated(p, createdNamespaces, createdKinds));
    opts.done?.push(r);
    opts.progress?.(`applied ${describe(r)} (${r.action})`, ++done, total);
    return r;
  };
  const early = await pool(first, CONCURRENCY, (o) => prepare(client, o, opts.namespace));
  const results = await pool(early, CONCURRENCY, step);
  early.forEach((p, i) => {
    if (results[i]?.action !== "created") return;
    if (p.obj.kind === "Namespace") createdNamespaces.add(String((p.obj.metadata as Obj).name));
    else for (const k of kindsDefinedBy([p.obj])) createdKinds.add(k);
  });
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
  results.push(...(await pool(late, CONCURRENCY, step)));
  if (opts.wait) {
    const items = late.map(waitItem);
    await waitFor(client, items, { ...opts, timeoutMs: opts.waitTimeoutMs, condition: opts.waitCondition });
  }
  return results;
}

/**
 * Delete in reverse order (custom resources before their CRDs, Namespaces last), up to CONCURRENCY at once,
 * then wait until everything is gone, as `kubectl delete` does: an apply in the next step must not meet a
 * dying object. `wait_timeout` bounds the wait.
 */
export async function deleteAll(client: KubeClient, objects: Obj[], opts: ApplyOptions): Promise<ObjectResult[]> {
  const [first, rest] = phases(objects);
  const total = objects.length;
  const deleted: WaitItem[] = [];
  let count = 0;
  const one = async (obj: Obj): Promise<ObjectResult> => {
    let p: Prepared;
    try {
      p = await prepare(client, obj, opts.namespace);
    } catch (e) {
      // The kind is gone (its CRD was deleted), so the object is too.
      if (e instanceof KubeError && e.kind === "unknown-kind")
        return resultOf({ obj, info: { apiVersion: "", kind: "", plural: "", namespaced: false } }, "absent");
      throw e;
    }
    const gone = (await client.delete(refOf(p.obj), p.info, { dryRun: false })) === undefined;
    const r = resultOf(p, gone ? "absent" : "deleted");
    opts.done?.push(r);
    if (!gone) deleted.push(waitItem(p));
    opts.progress?.(`${gone ? "already absent" : "deleted"}: ${describe(refOf(p.obj))}`, ++count, total);
    return r;
  };
  const results = await pool([...rest].reverse(), CONCURRENCY, one);
  results.push(...(await pool([...first].reverse(), CONCURRENCY, one)));
  if (deleted.length > 0) await waitFor(client, deleted, { ...opts, timeoutMs: opts.waitTimeoutMs, gone: true });
  return results;
}
