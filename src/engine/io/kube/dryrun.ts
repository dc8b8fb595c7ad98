import { contentChanged } from "./apply.js";
import { type KubeClient, type Obj, refOf } from "./client.js";
import { compactDiff } from "./diff.js";
import { KubeError } from "./errors.js";
import { groupKind, kindsDefinedBy, phases, pool, prepare } from "./order.js";

/** What the server says an object would become, for `runbook plan`. */
export interface DryRunResult {
  kind: string;
  namespace?: string | undefined;
  name: string;
  action: "created" | "configured" | "unchanged" | "deleted" | "absent" | "unknown";
  /** Changed fields for `configured`; a reason for `unknown` or an assumption made. */
  diff?: string[] | undefined;
  note?: string | undefined;
}

const CONCURRENCY = 8;

function head(obj: Obj, namespace?: string) {
  const ref = refOf(obj);
  return { kind: ref.kind, namespace: ref.namespace ?? namespace, name: ref.name };
}

/** Server-side dry run (`dryRun=All`) of applying each object; nothing is changed. Never throws a KubeError. */
export async function dryRunApply(
  client: KubeClient,
  objects: Obj[],
  opts: { namespace?: string | undefined; force: boolean },
): Promise<DryRunResult[]> {
  const [first, rest] = phases(objects);
  const newKinds = kindsDefinedBy(objects);
  const newNamespaces = new Set<string>();
  const one = async (obj: Obj): Promise<DryRunResult> => {
    let p: Awaited<ReturnType<typeof prepare>> | undefined;
    try {
      p = await prepare(client, obj, opts.namespace);
      const before = await client.get(refOf(p.obj), p.info);
      const after = await client.apply(p.obj, p.info, { force: opts.force, dryRun: true });
      if (!before) {
        if (p.obj.kind === "Namespace") newNamespaces.add(refOf(p.obj).name);
        return { ...head(p.obj), action: "created" };
      }
      // The same rule as the apply's (apply.ts), so plan and apply agree.
      const diff = compactDiff(before, after);
      const action = contentChanged(before, after) ? "configured" : "unchanged";
      return {
        ...head(p.obj),
        action,
        diff: diff.length ? diff : undefined,
        ...(action === "configured" && !diff.length ? { note: "runbook takes ownership of fields" } : {}),
      };
    } catch (e) {
      const base = head(p?.obj ?? obj, p ? undefined : opts.namespace);
      if (e instanceof KubeError && e.kind === "unknown-kind" && newKinds.has(groupKind(obj)))
        return { ...base, action: "created", note: "its CRD is created by this step" };
      const ns = base.namespace;
      if (e instanceof KubeError && e.kind === "not-found" && ns && newNamespaces.has(ns))
        return { ...base, action: "created", note: `namespace ${ns} is created by this step` };
      if (e instanceof KubeError && e.kind !== "unreachable") return { ...base, action: "unknown", note: e.message };
      throw e;
    }
  };
  const early = await pool(first, CONCURRENCY, one);
  return [...early, ...(await pool(rest, CONCURRENCY, one))];
}

/** Which objects a delete would remove; nothing is changed. */
export async function dryRunDelete(
  client: KubeClient,
  objects: Obj[],
  opts: { namespace?: string | undefined },
): Promise<DryRunResult[]> {
  return pool(objects, CONCURRENCY, async (obj) => {
    try {
      const p = await prepare(client, obj, opts.namespace);
      const live = await client.get(refOf(p.obj), p.info);
      return { ...head(p.obj), action: live ? "deleted" : "absent" };
    } catch (e) {
      if (e instanceof KubeError && e.kind === "unknown-kind") return { ...head(obj), action: "absent" };
      throw e;
    }
  });
}
