/** Field paths and values as server-side apply sees them (simplified: lists are atomic, never merged by key). */
export type Path = string[];
type Obj = Record<string, unknown>;

const isMap = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// Fields the server owns: never part of a manager's field set.
const SERVER_FIELDS = new Set([
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "metadata.resourceVersion",
  "metadata.generation",
  "metadata.creationTimestamp",
  "metadata.deletionTimestamp",
  "metadata.managedFields",
]);

export const pathKey = (p: Path): string => p.join("\u0000");
export const keyPath = (k: string): Path => k.split("\u0000");
export const showPath = (p: Path): string => `.${p.join(".")}`;

/** The leaf paths a manifest sets (a map's keys recursively; lists and scalars are leaves). */
export function leafPaths(obj: unknown, prefix: Path = []): Path[] {
  if (!isMap(obj) || (prefix.length > 0 && Object.keys(obj).length === 0)) return [prefix];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = [...prefix, k];
    if (prefix.length === 0 && (k === "apiVersion" || k === "kind" || k === "status")) continue;
    if (SERVER_FIELDS.has(p.join("."))) continue;
    out.push(...leafPaths(v, p));
  }
  return out;
}

export function getAt(obj: unknown, p: Path): unknown {
  let cur = obj;
  for (const seg of p) {
    if (!isMap(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function setAt(obj: Obj, p: Path, value: unknown): void {
  let cur = obj;
  for (const seg of p.slice(0, -1)) {
    if (!isMap(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Obj;
  }
  cur[p[p.length - 1]!] = structuredClone(value);
}

/** Remove a field and any map it leaves empty. */
export function deleteAt(obj: Obj, p: Path): void {
  const parents: Obj[] = [];
  let cur: unknown = obj;
  for (const seg of p.slice(0, -1)) {
    if (!isMap(cur)) return;
    parents.push(cur);
    cur = cur[seg];
  }
  if (!isMap(cur)) return;
  delete cur[p[p.length - 1]!];
  for (let i = parents.length - 1; i >= 0; i--) {
    const child = getAt(parents[i], [p[i]!]);
    if (isMap(child) && Object.keys(child).length === 0 && !(i === 0 && p[0] === "metadata")) delete parents[i]![p[i]!];
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical(v[k])]),
  );
}

/** Do two paths overlap (one is the other or an ancestor of it)? */
export function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The `fieldsV1` form of a field set, as a real API server writes it in `managedFields`. */
export function fieldsV1(paths: Iterable<Path>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p) {
      const k = `f:${seg}`;
      if (!isMap(cur[k])) cur[k] = {};
      cur = cur[k] as Obj;
    }
  }
  return root;
}
