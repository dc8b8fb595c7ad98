import { z } from "zod";
import { KubeError } from "../io/kube/errors.js";
import type { DryRunResult, ObjectResult } from "../io/kube.js";
import {
  asFailure,
  clusterFields,
  clusterFor,
  durationField,
  loadKube,
  loadManifests,
  withCluster,
} from "./k8s_common.js";
import { type ActionContext, defineAction, type PlanInfo } from "./types.js";

const object = z.record(z.string(), z.unknown());

export const k8sSchema = z
  .strictObject({
    state: z.enum(["present", "absent"]).default("present").describe("present: server-side apply; absent: delete"),
    definition: z
      .union([z.string(), z.array(object), object])
      .optional()
      .describe("the objects: one mapping, a list of them, or a multi-document YAML string"),
    src: z.string().optional().describe("a YAML file of objects (one or several documents), relative to the playbook"),
    template: z
      .string()
      .optional()
      .describe("a Handlebars template of objects, looked up like the template action's `src` and rendered first"),
    vars: z.record(z.string(), z.unknown()).optional().describe("extra variables for `template`"),
    namespace: z
      .string()
      .optional()
      .describe("namespace for namespaced objects that name none (default: the context's, then `default`)"),
    ...clusterFields,
    wait: z
      .boolean()
      .default(false)
      .describe("wait until the objects are ready (rolled out, Established, Complete, Programmed) or gone"),
    wait_timeout: durationField.default(300_000).describe("how long `wait` waits: a duration or seconds (default 5m)"),
    wait_condition: z
      .strictObject({
        type: z.string().describe("condition type, e.g. Ready"),
        status: z.enum(["True", "False", "Unknown"]).default("True").describe("the status to reach (default True)"),
      })
      .optional()
      .describe("for kinds without a built-in readiness rule: the status condition `wait` waits for"),
    force_conflicts: z
      .boolean()
      .default(false)
      .describe("take ownership of fields another field manager owns instead of failing with a conflict"),
  })
  .refine((a) => [a.definition, a.src, a.template].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of `definition`, `src` or `template`",
  });

export type K8sArgs = z.output<typeof k8sSchema>;

const countBy = (rows: Array<{ action: string }>) => {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${n} ${action}`).join(", ");
};

const changes = (rows: Array<{ action: string }>) =>
  rows.some((r) => r.action === "created" || r.action === "configured" || r.action === "deleted");

function planLines(rows: DryRunResult[], describe: (r: DryRunResult) => string): string[] {
  return rows.flatMap((r) => [
    `${describe(r)}: ${r.action}${r.note ? ` (${r.note})` : ""}`,
    ...(r.diff ?? []).map((d) => `    ${d}`),
  ]);
}

async function run(args: K8sArgs, ctx: ActionContext) {
  const { applyAll, deleteAll, dryRunApply, dryRunDelete } = await loadKube();
  const objects = await loadManifests(args, ctx);
  const done: ObjectResult[] = [];
  const partial = () => ({ changed: changes(done), resources: [...done] });
  return withCluster(
    args,
    ctx,
    async (client) => {
      if (ctx.dryRun) {
        const rows =
          args.state === "absent"
            ? await dryRunDelete(client, objects, args)
            : await dryRunApply(client, objects, { namespace: args.namespace, force: args.force_conflicts });
        return { changed: changes(rows), resources: rows, msg: countBy(rows) };
      }
      const opts = {
        namespace: args.namespace,
        force: args.force_conflicts,
        wait: args.wait,
        waitTimeoutMs: args.wait_timeout ?? 300_000,
        waitCondition: args.wait_condition,
        signal: ctx.signal,
        done,
        progress: (message: string, current?: number, total?: number) => ctx.progress(message, current, total),
      };
      const resources: ObjectResult[] =
        args.state === "absent" ? await deleteAll(client, objects, opts) : await applyAll(client, objects, opts);
      return { changed: changes(resources), resources, msg: countBy(resources) };
    },
    partial,
  );
}

/** Objects by kind/namespace/name, and a server-side dry run when the cluster answers. */
async function plan(args: K8sArgs, ctx: ActionContext): Promise<PlanInfo> {
  const { describe, dryRunApply, dryRunDelete } = await loadKube();
  const objects = await loadManifests(args, ctx);
  const verb = args.state === "absent" ? "delete" : "apply";
  const what = `${verb} ${objects.length} object${objects.length === 1 ? "" : "s"}`;
  const listed = objects.map((o) => ({ ...describeRow(o, args.namespace), action: "unknown" as const }));
  let client: Awaited<ReturnType<typeof clusterFor>>;
  let rows: DryRunResult[];
  const warnings: string[] = [];
  try {
    client = await clusterFor(args, ctx, warnings);
    rows =
      args.state === "absent"
        ? await dryRunDelete(client, objects, args)
        : await dryRunApply(client, objects, { namespace: args.namespace, force: args.force_conflicts });
  } catch (e) {
    if (!(e instanceof KubeError)) throw asFailure(e);
    return {
      summary: `${what} (cluster not reachable, no server-side dry run: ${e.message})`,
      details: listed.map((r) => describe(r)),
      willChange: undefined,
      data: { objects: listed, dryRun: false, reason: e.message },
    };
  }
  const known = rows.every((r) => r.action !== "unknown");
  return {
    summary: `${what} to context "${client.where.context}" (server-side dry run: ${countBy(rows)})`,
    details: [...planLines(rows, describe), ...warnings.map((w) => `warning: ${w}`)],
    willChange: known ? changes(rows) : changes(rows) || undefined,
    data: { objects: rows, dryRun: true, context: client.where.context, server: client.where.server },
  };
}

function describeRow(o: Record<string, unknown>, namespace: string | undefined) {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  const ns = typeof m.namespace === "string" ? m.namespace : namespace;
  return { kind: String(o.kind), namespace: ns, name: String(m.name) };
}

export const k8sAction = defineAction<K8sArgs>({
  name: "k8s",
  description: "Apply (server-side, field manager runbook) or delete Kubernetes objects, optionally waiting for them",
  schema: k8sSchema,
  // An inline manifest reads as kubectl would read it from a file: `defaultMode: 0400` is 256.
  yaml11Fields: ["definition"],
  run,
  plan,
});
