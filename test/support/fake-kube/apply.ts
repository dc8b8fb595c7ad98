import {
  covers,
  deleteAt,
  getAt,
  isItemPath,
  leafPaths,
  overlaps,
  type Path,
  pathKey,
  sameValue,
  setAt,
} from "./fields.js";

type Obj = Record<string, unknown>;

/** One manager's claim on an object's fields (the stand-in's form of a `managedFields` entry). */
export interface Ownership {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fields: Map<string, Path>;
}

export interface Conflict {
  manager: string;
  apiVersion: string;
  path: Path;
}

export type ApplyOutcome = { object: Obj; owners: Ownership[] } | { conflicts: Conflict[] };

const cloneOwners = (owners: Ownership[]): Ownership[] => owners.map((o) => ({ ...o, fields: new Map(o.fields) }));

/**
 * Server-side apply, simplified but honest about the rules that matter to a client: a field set by another
 * manager to a different value is a conflict unless forced; equal values are shared; fields this manager
 * applied before and no longer applies are removed unless someone else owns them. Associative lists
 * (containers, env, volumes by name; ports by port and protocol) merge item by item, each item and each of
 * its fields owned separately; other lists are atomic.
 */
export function serverSideApply(
  existing: Obj,
  owners: Ownership[],
  config: Obj,
  manager: string,
  force: boolean,
  now: string,
): ApplyOutcome {
  const applied = leafPaths(config);
  const next = cloneOwners(owners);
  const conflicts: Conflict[] = [];
  for (const o of next) {
    if (o.manager === manager) continue;
    for (const [key, owned] of o.fields) {
      // Owning a list item is owning its existence: two managers listing one item do not conflict.
      const clash = applied.find(
        (p) =>
          !isItemPath(p) &&
          !isItemPath(owned) &&
          overlaps(p, owned) &&
          !sameValue(getAt(existing, p), getAt(config, p)),
      );
      if (!clash) continue;
      if (force) o.fields.delete(key);
      else conflicts.push({ manager: o.manager, apiVersion: o.apiVersion, path: clash });
    }
  }
  if (conflicts.length > 0) return { conflicts };

  const object = structuredClone(existing);
  const mine = next.find((o) => o.manager === manager && o.operation === "Apply");
  const appliedKeys = new Set(applied.map(pathKey));
  for (const [key, p] of mine?.fields ?? []) {
    if (appliedKeys.has(key) || applied.some((a) => covers(a, p))) continue;
    const sharedWithOthers = next.some((o) => o !== mine && [...o.fields.values()].some((f) => covers(f, p)));
    if (!sharedWithOthers) deleteAt(object, p);
  }
  for (const p of applied) setAt(object, p, getAt(config, p));

  const fields = new Map(applied.map((p) => [pathKey(p), p]));
  const sameFields = mine && mine.fields.size === fields.size && [...fields.keys()].every((k) => mine.fields.has(k));
  const entry: Ownership = {
    manager,
    operation: "Apply",
    apiVersion: String(config.apiVersion ?? ""),
    time: sameFields ? mine.time : now,
    fields,
  };
  const result = next.filter((o) => o !== mine && o.fields.size > 0);
  result.push(entry);
  return { object, owners: result };
}

/** An ordinary update (PUT / edit) by `manager`: it takes ownership of every field whose value it changed. */
export function update(existing: Obj, owners: Ownership[], desired: Obj, manager: string, now: string) {
  // A list item that exists already is not changed by being listed again; its fields may be.
  const changed = leafPaths(desired).filter((p) =>
    isItemPath(p) ? getAt(existing, p) === undefined : !sameValue(getAt(existing, p), getAt(desired, p)),
  );
  const next = cloneOwners(owners);
  for (const o of next)
    for (const [k, f] of o.fields) if (changed.some((p) => covers(p, f) && !isItemPath(f))) o.fields.delete(k);
  let mine = next.find((o) => o.manager === manager && o.operation === "Update");
  if (!mine) {
    mine = { manager, operation: "Update", apiVersion: String(desired.apiVersion ?? ""), time: now, fields: new Map() };
    next.push(mine);
  }
  for (const p of changed) mine.fields.set(pathKey(p), p);
  const object = structuredClone(existing);
  for (const p of changed) setAt(object, p, getAt(desired, p));
  return { object, owners: next.filter((o) => o.fields.size > 0) };
}
