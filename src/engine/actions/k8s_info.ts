import { z } from "zod";
import { clusterFields, loadKube, withCluster } from "./k8s_common.js";
import { type ActionContext, defineAction, type PlanInfo } from "./types.js";

export const k8sInfoSchema = z.strictObject({
  kind: z.string().min(1).describe("the kind to read, e.g. Deployment"),
  api_version: z.string().min(1).default("v1").describe("its apiVersion, e.g. apps/v1 (default v1)"),
  name: z.string().min(1).optional().describe("read this one object; without it, list"),
  namespace: z
    .string()
    .min(1)
    .optional()
    .describe("namespace to read in; a list without it covers every namespace, a get uses the context's"),
  label_selector: z.string().optional().describe("list only objects with these labels, e.g. app=istiod,version!=1"),
  field_selector: z.string().optional().describe("list only objects with these fields, e.g. metadata.name=istiod"),
  ...clusterFields,
});

export type K8sInfoArgs = z.output<typeof k8sInfoSchema>;

async function run(args: K8sInfoArgs, ctx: ActionContext) {
  return withCluster(args, ctx, async (client) => {
    if (args.name !== undefined) {
      const info = await client.resolve(args.api_version, args.kind);
      const namespace = info.namespaced ? (args.namespace ?? client.defaultNamespace) : undefined;
      const ref = { apiVersion: args.api_version, kind: args.kind, name: args.name, namespace };
      const obj = await client.get(ref, info);
      return { changed: false, resources: obj ? [{ apiVersion: args.api_version, kind: args.kind, ...obj }] : [] };
    }
    const resources = await client.list(args.api_version, args.kind, {
      namespace: args.namespace,
      labelSelector: args.label_selector,
      fieldSelector: args.field_selector,
    });
    return { changed: false, resources };
  });
}

async function plan(args: K8sInfoArgs): Promise<PlanInfo> {
  const { describe } = await loadKube();
  const target = args.name
    ? describe({ kind: args.kind, namespace: args.namespace, name: args.name })
    : `${args.kind} objects${args.namespace ? ` in ${args.namespace}` : ""}`;
  const filters = [args.label_selector, args.field_selector].filter(Boolean).join(", ");
  return {
    summary: `read ${target}${filters ? ` where ${filters}` : ""}${args.context ? ` (context "${args.context}")` : ""}`,
    willChange: false,
  };
}

export const k8sInfoAction = defineAction<K8sInfoArgs>({
  name: "k8s_info",
  description: "Read Kubernetes objects: one by name, or a list filtered by namespace and selectors",
  schema: k8sInfoSchema,
  readOnly: true,
  run,
  plan,
});
