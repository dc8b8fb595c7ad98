/**
 * Field paths and values as server-side apply sees them. A path is a list of segments: a map key, or
 * `k:{"name":"app"}` for the item of an associative list with that key (containers by name, ports by
 * containerPort+protocol...), as in `managedFields`. Other lists are atomic: one leaf.
 */
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

// The merge keys of the associative lists in the built-in schemas that Istio's manifests use
// (x-kubernetes-list-map-keys). A key field the schema defaults (a port's protocol) takes its default.
const BY_NAME = { keys: ["name"] };
const LIST_KEYS: Record<string, { keys: string[]; defaults?: Obj }> = {
  containers: BY_NAME,
  initContainers: BY_NAME,
  ephemeralContainers: BY_NAME,
  env: BY_NAME,
  volumes: BY_NAME,
  imagePullSecrets: BY_NAME,
  volumeMounts: { keys: ["mountPath"] },
};
const CONTAINER_PORTS = { keys: ["containerPort", "protocol"], defaults: { protocol: "TCP" } };
const SERVICE_PORTS = { keys: ["port", "protocol"], defaults: { protocol: "TCP" } };

const isItemSeg = (seg: string | undefined) => seg?.startsWith("k:") === true;
/** Does the path name a list item (its last segment is a key)? */
export const isItemPath = (p: Path): boolean => isItemSeg(p[p.length - 1]);

/** The merge keys of the list at `p`, or undefined when it is atomic. */
export function listKeys(p: Path): { keys: string[]; defaults?: Obj } | undefined {
  const name = p[p.length - 1]!;
  if (name === "ports") {
    // A container's ports (…containers.k:{…}.ports) or a Service's (spec.ports).
    if (isItemSeg(p[p.length - 2]) && /ontainers$/.test(p[p.length - 3] ?? "")) return CONTAINER_PORTS;
    return p.length === 2 && p[0] === "spec" ? SERVICE_PORTS : undefined;
  }
  return LIST_KEYS[name];
}

/** The key segment of a list item (keys in schema order, defaults filled), or undefined if a key is missing. */
function itemSeg(item: unknown, spec: { keys: string[]; defaults?: Obj }): string | undefined {
  if (!isMap(item)) return undefined;
  const key: Obj = {};
  for (const k of [...spec.keys].sort()) {
    const v = item[k] ?? spec.defaults?.[k];
    if (v === undefined) return undefined;
    key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

export const pathKey = (p: Path): string => p.join("\u0000");
export const keyPath = (k: string): Path => k.split("\u0000");
/** As the API server prints a field in a conflict: `.spec.template.spec.containers[name="app"].image`. */
export const showPath = (p: Path): string =>
  p
    .map((s) =>
      isItemSeg(s)
        ? `[${Object.entries(JSON.parse(s.slice(2)) as Obj)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(",")}]`
        : `.${s}`,
    )
    .join("");

/** The list at `p` merged by key, when every item has its keys; otherwise it is atomic. */
function keyedItems(list: unknown[], p: Path): Array<[string, Obj]> | undefined {
  const spec = listKeys(p);
  if (!spec || list.length === 0) return undefined;
  const out: Array<[string, Obj]> = [];
  for (const item of list) {
    const seg = itemSeg(item, spec);
    if (!seg) return undefined;
    out.push([seg, item as Obj]);
  }
  return out;
}

/**
 * The paths a manifest sets: a map's keys recursively; for an associative list, each item's own path
 * (owning the item) followed by the item's fields; atomic lists and scalars are leaves.
 */
export function leafPaths(obj: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(obj) && prefix.length > 0) {
    const items = keyedItems(obj, prefix);
    if (!items) return [prefix];
    return items.flatMap(([seg, item]) => [[...prefix, seg], ...leafPaths(item, [...prefix, seg])]);
  }
  if (!isMap(obj) || (prefix.length > 0 && Object.keys(obj).length === 0)) return isItemPath(prefix) ? [] : [prefix];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = [...prefix, k];
    if (prefix.length === 0 && (k === "apiVersion" || k === "kind" || k === "status")) continue;
    if (SERVER_FIELDS.has(p.join("."))) continue;
    out.push(...leafPaths(v, p));
  }
  return out;
}

// The item of `list` (the list at `at`) whose key segment is `seg`.
function findItem(list: unknown, at: Path, seg: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const spec = listKeys(at);
  return spec ? (list.find((item) => itemSeg(item, spec) === seg) as Obj | undefined) : undefined;
}

export function getAt(obj: unknown, p: Path): unknown {
  let cur = obj;
  for (const [i, seg] of p.entries()) {
    if (isItemSeg(seg)) cur = findItem(cur, p.slice(0, i), seg);
    else if (isMap(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

// The map or list at `p`, created on the way (a missing item is added with its key fields).
function containerAt(obj: Obj, p: Path): Obj {
  let cur: Obj = obj;
  for (const [i, seg] of p.entries()) {
    const next = p[i + 1];
    if (isItemSeg(seg)) continue;
    if (isItemSeg(next)) {
      if (!Array.isArray(cur[seg])) cur[seg] = [];
      const list = cur[seg] as Obj[];
      let item = findItem(list, p.slice(0, i + 1), next!);
      if (!item) {
        item = JSON.parse(next!.slice(2)) as Obj;
        list.push(item);
      }
      cur = item;
    } else {
      if (!isMap(cur[seg])) cur[seg] = {};
      cur = cur[seg] as Obj;
    }
  }
  return cur;
}

/** Set a field; for an item path, make sure the item exists (its fields are set one by one). */
export function setAt(obj: Obj, p: Path, value: unknown): void {
  if (isItemPath(p)) {
    containerAt(obj, p);
    return;
  }
  containerAt(obj, p.slice(0, -1))[p[p.length - 1]!] = structuredClone(value);
}

/** Remove a field (or, for an item path, the item) and any map or list it leaves empty. */
export function deleteAt(obj: Obj, p: Path): void {
  for (let n = p.length; n > 0; n--) {
    const parent = getAt(obj, p.slice(0, n - 1));
    const seg = p[n - 1]!;
    if (isItemSeg(seg)) {
      const list = parent as unknown[];
      const item = findItem(list, p.slice(0, n - 1), seg);
      // A field removed from an item leaves the item: only its own path (no manager lists it) removes it.
      if (!item || n < p.length) return;
      list.splice(list.indexOf(item), 1);
      continue;
    }
    if (!isMap(parent)) return;
    const child = parent[seg];
    const empty = n === p.length || (isMap(child) && Object.keys(child).length === 0);
    const emptyList = Array.isArray(child) && child.length === 0;
    if (!(empty || emptyList) || (n === 1 && seg === "metadata")) return;
    delete parent[seg];
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

/**
 * Does owning `owner` cover the field `p`? As `overlaps`, except that owning a list item (its `.`) owns
 * only the item's existence, not the fields inside it that another manager set.
 */
export function covers(owner: Path, p: Path): boolean {
  return overlaps(owner, p) && !(isItemPath(owner) && owner.length < p.length);
}

/** The `fieldsV1` form of a field set, as a real API server writes it in `managedFields`. */
export function fieldsV1(paths: Iterable<Path>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p) {
      const k = isItemSeg(seg) ? seg : `f:${seg}`;
      if (!isMap(cur[k])) cur[k] = {};
      cur = cur[k] as Obj;
    }
    if (isItemPath(p)) cur["."] = {};
  }
  return root;
}
