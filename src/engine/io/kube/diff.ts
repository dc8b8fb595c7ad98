type Obj = Record<string, unknown>;

// Fields the server rewrites on every write: never part of a diff a user cares about.
const NOISE = new Set([
  "metadata.resourceVersion",
  "metadata.managedFields",
  "metadata.generation",
  "metadata.uid",
  "metadata.creationTimestamp",
  "status",
]);

const isMap = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (NOISE.has(prefix)) return;
  if (isMap(v) && Object.keys(v).length > 0) {
    for (const k of Object.keys(v).sort()) flatten(v[k], prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, JSON.stringify(v));
}

const short = (s: string, max = 60) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * The fields that differ between the live object and what the server would make of the apply,
 * one line each (`~ spec.replicas: 2 → 3`, `+ data.b: "x"`, `- metadata.labels.old`), at most `limit` lines.
 */
export function compactDiff(before: Obj, after: Obj, limit = 20): string[] {
  // A Secret's values never reach a plan: only which keys changed.
  const secret = after.kind === "Secret";
  const show = (k: string, v: string) => (secret && /^(data|stringData)\./.test(k) ? "(hidden)" : short(v));
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before, "", a);
  flatten(after, "", b);
  const lines: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === y) continue;
    if (x === undefined) lines.push(`+ ${k}: ${show(k, y!)}`);
    else if (y === undefined) lines.push(`- ${k}`);
    else lines.push(`~ ${k}: ${show(k, x)} → ${show(k, y)}`);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more`] : lines;
}
