import { randomUUID } from "node:crypto";
import { type Conflict, type Ownership, serverSideApply, update } from "./apply.js";
import { builtinTypes, groupVersion, type ResourceType, typesFromCrd } from "./discovery.js";
import { fieldsV1, sameValue, showPath } from "./fields.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import { readyStatus } from "./status.js";
import { applyDefaults, unknownFields, validate } from "./validate.js";

type Obj = Record<string, unknown>;
export interface Stored {
  type: ResourceType;
  object: Obj;
  owners: Ownership[];
}

/** An error answer: HTTP code plus the `Status` body a real API server would send. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: Obj,
  ) {
    super(String(body.message));
  }
}

export function status(code: number, reason: string, message: string, details?: Obj): StatusError {
  return new StatusError(code, { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code, details });
}

export interface StoreOptions {
  /** Mark workloads, Jobs and Gateways ready as soon as they are applied (for end-to-end playbook tests). */
  autoReady?: boolean;
  /** Establish CRDs as soon as they are applied (a real API server does within a second). Default true. */
  autoEstablishCrds?: boolean;
  /** Deletions take this long to finish (finalizers, foreground propagation of dependents). */
  deletionDelayMs?: number;
  /** An object's own `metadata.finalizers` are removed this long after its deletion (by "their controller");
   * unset, they stay until `FakeKube.removeFinalizers`. */
  finalizerDelayMs?: number;
}

const meta = (o: Obj): Obj => (o.metadata ?? {}) as Obj;
const kindKey = (t: ResourceType): string => `${t.group}/${t.kind}`;

/** Every object of one stand-in cluster, with resourceVersion and generation bookkeeping. */
export class KubeStore {
  readonly objects = new Map<string, Stored>();
  /** When set, foreground deletions leave the object terminating until `releaseDeletions()`. */
  holdDeletions = false;
  private rv = 1000;
  private ips = 0;
  private ports = 0;
  // Addresses handed out once, as the API server's allocators do (10.96.0.0/12, 30000-32767).
  private readonly alloc = {
    clusterIP: () => `10.96.${Math.floor(++this.ips / 250)}.${(this.ips % 250) + 1}`,
    nodePort: () => 30000 + (this.ports++ % 2768),
  };
  constructor(readonly options: StoreOptions = {}) {
    // Every cluster starts with these, as a real one does.
    const ns = builtinTypes.find((t) => t.kind === "Namespace")!;
    for (const name of ["default", "kube-system", "kube-public"]) {
      this.apply(ns, undefined, name, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, "kube-apiserver");
    }
  }

  types(): ResourceType[] {
    const crds = [...this.objects.values()].filter((s) => s.type.kind === "CustomResourceDefinition");
    const established = crds.filter((s) => conditionTrue(s.object, "Established"));
    return [...builtinTypes, ...established.flatMap((s) => typesFromCrd(s.object))];
  }

  key(t: ResourceType, ns: string | undefined, name: string): string {
    return `${kindKey(t)}/${t.namespaced ? (ns ?? "") : ""}/${name}`;
  }

  /** The object as the API returns it: `apiVersion` of the request, `managedFields` rendered. */
  render(s: Stored, t: ResourceType = s.type): Obj {
    const out = structuredClone(s.object);
    out.apiVersion = groupVersion(t);
    meta(out).managedFields = s.owners.map((o) => ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      fieldsType: "FieldsV1",
      fieldsV1: fieldsV1(o.fields.values()),
    }));
    return out;
  }

  get(t: ResourceType, ns: string | undefined, name: string): Stored {
    const s = this.objects.get(this.key(t, ns, name));
    if (!s) throw status(404, "NotFound", `${t.plural}${t.group ? `.${t.group}` : ""} "${name}" not found`);
    return s;
  }

  list(t: ResourceType, ns: string | undefined, labels?: string, fields?: string): Stored[] {
    const byLabel = labelSelector(labels);
    let byField: (o: Obj) => boolean;
    try {
      byField = fieldSelector(fields);
    } catch (e) {
      throw status(400, "BadRequest", (e as Error).message);
    }
    return [...this.objects.values()].filter(
      (s) =>
        kindKey(s.type) === kindKey(t) &&
        (ns === undefined || meta(s.object).namespace === ns) &&
        byLabel(s.object) &&
        byField(s.object),
    );
  }

  /** Server-side apply of `body` by `manager`; with `dryRun` nothing is stored. */
  apply(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: Obj,
    manager: string,
    force = false,
    dryRun = false,
    fieldValidation = "Warn",
  ): { created: boolean; object: Obj; warnings: string[] } {
    if (meta(body).name !== undefined && meta(body).name !== name)
      throw status(400, "BadRequest", "the name of the object does not match the name on the URL");
    const causes = validate(t.kind, { ...body, metadata: { ...meta(body), name } });
    if (causes.length > 0) {
      const message = `${t.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`;
      throw status(422, "Invalid", message, { name, kind: t.kind, causes });
    }
    const unknown = fieldValidation === "Ignore" ? [] : unknownFields(t.kind, body);
    if (unknown.length && fieldValidation === "Strict")
      throw status(
        400,
        "BadRequest",
        `${t.kind} in version "${String(body.apiVersion)}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f.slice(1)}"`).join(", ")}`,
      );
    if (t.namespaced && ns && !this.objects.has(`/Namespace//${ns}`))
      throw status(404, "NotFound", `namespaces "${ns}" not found`);
    const key = this.key(t, ns, name);
    const prev = this.objects.get(key);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const base = prev?.object ?? { apiVersion: body.apiVersion, kind: t.kind, metadata: { name } };
    const out = serverSideApply(base, prev?.owners ?? [], body, manager, force, now);
    if ("conflicts" in out) throw conflictError(t, name, out.conflicts);
    applyDefaults(t.kind, out.object, this.alloc);
    const next: Stored = { type: t, object: out.object, owners: out.owners };
    this.bookkeep(next, prev, ns, now);
    if (!dryRun) this.commit(key, next);
    return { created: !prev, object: this.render(next), warnings: unknown.map((f) => `unknown field "${f.slice(1)}"`) };
  }

  /** A non-apply write (kubectl edit, a controller): `manager` takes the fields it changes. */
  update(t: ResourceType, ns: string | undefined, desired: Obj, manager: string): Obj {
    const name = String(meta(desired).name);
    const prev = this.get(t, ns, name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const out = update(prev.object, prev.owners, desired, manager, now);
    const next: Stored = { type: t, ...out };
    this.bookkeep(next, prev, ns, now);
    this.commit(this.key(t, ns, name), next);
    return this.render(next);
  }

  /** Replace `status` (what controllers do); bumps resourceVersion, never generation. */
  setStatus(s: Stored, statusPatch: Obj): void {
    s.object.status = { ...((s.object.status ?? {}) as Obj), ...statusPatch };
    meta(s.object).resourceVersion = String(++this.rv);
  }

  delete(t: ResourceType, ns: string | undefined, name: string, propagation: string | undefined, dryRun = false) {
    const s = this.get(t, ns, name);
    const out = this.render(s);
    if (dryRun) return out;
    const m = meta(s.object);
    m.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const finalizers = (m.finalizers ?? []) as string[];
    if (propagation === "Foreground" && !finalizers.includes("foregroundDeletion"))
      m.finalizers = [...finalizers, "foregroundDeletion"];
    m.resourceVersion = String(++this.rv);
    // The object's own finalizers hold it, terminating, until their controller removes them.
    if (finalizers.some((f) => f !== "foregroundDeletion")) {
      if (this.options.finalizerDelayMs !== undefined)
        setTimeout(() => this.removeFinalizers(s), this.options.finalizerDelayMs);
      return this.render(s);
    }
    if (this.options.deletionDelayMs && !this.holdDeletions) {
      const uid = meta(s.object).uid;
      setTimeout(() => {
        // An apply to a dying object replaced it in the map but, as on a real server, it still goes.
        const cur = this.objects.get(this.key(s.type, ns, name));
        if (cur && meta(cur.object).uid === uid) this.finalize(cur);
      }, this.options.deletionDelayMs);
    } else if (!this.holdDeletions) this.finalize(s);
    return this.render(s);
  }

  /** What a finalizer's controller does when its clean-up is done: the object goes once none is left. */
  removeFinalizers(s: Stored, which?: string[]): void {
    const m = meta(s.object);
    const left = ((m.finalizers ?? []) as string[]).filter(
      (f) => f !== "foregroundDeletion" && which && !which.includes(f),
    );
    if (left.length > 0) m.finalizers = left;
    else delete m.finalizers;
    m.resourceVersion = String(++this.rv);
    if (
      m.deletionTimestamp &&
      left.length === 0 &&
      this.objects.get(this.key(s.type, m.namespace as string | undefined, String(m.name))) === s
    )
      this.finalize(s);
  }

  /** Finish every deletion held back by `holdDeletions`. */
  releaseDeletions(): void {
    for (const s of [...this.objects.values()]) if (meta(s.object).deletionTimestamp) this.finalize(s);
  }

  // Remove an object and what depends on it: owned objects, a namespace's contents, a CRD's resources.
  private finalize(s: Stored): void {
    const m = meta(s.object);
    this.objects.delete(this.key(s.type, m.namespace as string | undefined, String(m.name)));
    for (const other of [...this.objects.values()]) {
      const om = meta(other.object);
      const owned = ((om.ownerReferences ?? []) as Obj[]).some((r) => r.uid === m.uid);
      const inNamespace = s.type.kind === "Namespace" && other.type.namespaced && om.namespace === m.name;
      const ofCrd =
        s.type.kind === "CustomResourceDefinition" &&
        typesFromCrd(s.object).some((t) => kindKey(t) === kindKey(other.type));
      if (owned || inNamespace || ofCrd) this.finalize(other);
    }
  }

  private bookkeep(next: Stored, prev: Stored | undefined, ns: string | undefined, now: string): void {
    const m = meta(next.object);
    if (next.type.namespaced) m.namespace = ns;
    else delete m.namespace;
    if (!prev) {
      Object.assign(m, {
        uid: randomUUID(),
        creationTimestamp: now,
        generation: 1,
        resourceVersion: String(++this.rv),
      });
      return;
    }
    const spec = (o: Obj) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "metadata" && k !== "status"));
    const metaOf = (o: Obj) => ({ ...meta(o), resourceVersion: 0, generation: 0 });
    const specChanged = !sameValue(spec(next.object), spec(prev.object));
    const owned = (x: Stored) => x.owners.map((o) => [o.manager, o.operation, o.time, [...o.fields.keys()].sort()]);
    const changed =
      specChanged || !sameValue(metaOf(next.object), metaOf(prev.object)) || !sameValue(owned(next), owned(prev));
    if (specChanged) m.generation = Number(m.generation ?? 1) + 1;
    if (changed) m.resourceVersion = String(++this.rv);
  }

  private commit(key: string, s: Stored): void {
    this.objects.set(key, s);
    const auto = readyStatus(s, this.options);
    const current = (s.object.status ?? {}) as Obj;
    // Compare without timestamps, or every no-op apply of a ready object would bump resourceVersion.
    const stripTimes = (o: Obj) =>
      JSON.parse(JSON.stringify(o).replace(/"lastTransitionTime":"[^"]*"/g, '"lastTransitionTime":""'));
    if (auto && !sameValue(stripTimes({ ...current, ...auto }), stripTimes(current))) this.setStatus(s, auto);
  }
}

export function conditionTrue(o: Obj, type: string): boolean {
  const conditions = ((o.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conditions.some((c) => c.type === type && c.status === "True");
}

function conflictError(t: ResourceType, name: string, conflicts: Conflict[]): StatusError {
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${showPath(c.path)}`);
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${lines.join("\n")}`;
  const causes = conflicts.map((c, i) => ({
    reason: "FieldManagerConflict",
    message: lines[i],
    field: showPath(c.path),
  }));
  return status(409, "Conflict", message, { name, group: t.group, kind: t.kind, causes });
}
