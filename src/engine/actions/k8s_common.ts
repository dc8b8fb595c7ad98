import { resolve } from "node:path";
import { z } from "zod";
import { KubeError } from "../io/kube/errors.js";
import type { KubeClient, Obj } from "../io/kube.js";

/** The Kubernetes adapter, loaded on first use (only the steps that talk to a cluster pay for it). */
export const loadKube = () => import("../io/kube.js");

// Manifests are read as kubectl reads them: YAML 1.1 plain scalars (0400 is octal, no is false).
import { KUBECTL_SCALARS, parseYamlAll } from "../load/yaml.js";
import { type ActionContext, ActionFailure } from "./types.js";

/** The cluster-picking fields shared by k8s and k8s_info. */
export const clusterFields = {
  // "" is allowed: a templated default (`context: "{{ params.context }}"`) names no context.
  context: z
    .string()
    .optional()
    .describe('kubeconfig context to use (default, or "": the kubeconfig\'s current-context)'),
  // "" likewise: a preset's `kubeconfig: "{{ params.kubeconfig }}"` with no kubeconfig given.
  kubeconfig: z
    .string()
    .optional()
    .describe('path of the kubeconfig, relative to the playbook (default, or "": $KUBECONFIG, then ~/.kube/config)'),
};

/** A duration field (milliseconds once parsed): the shared parser, so every action reads "5m" alike. */
export { durationSchema as durationField } from "../duration.js";

/** The step's cluster, reading kubeconfigs through the step's file system adapter; API warnings go to `warnings`. */
export async function clusterFor(
  args: { context?: string | undefined; kubeconfig?: string | undefined },
  ctx: ActionContext,
  warnings: string[] = [],
) {
  const env = {
    readFile: async (path: string) => (await ctx.fs.readFile(path))?.toString("utf8"),
    processEnv: ctx.processEnv,
    baseDir: ctx.baseDir,
  };
  // An empty context (e.g. a templated default) means the kubeconfig's current context.
  const { connect } = await loadKube();
  const client = await connect({ context: args.context || undefined, kubeconfig: args.kubeconfig || undefined }, env);
  // Every request takes the step's signal (interrupt or step timeout); retries stop at the step's deadline.
  return client.scoped({
    signal: ctx.signal,
    deadline: ctx.timeoutMs !== undefined ? Date.now() + ctx.timeoutMs : undefined,
    warn: (message) => {
      warnings.push(message);
      ctx.output("stderr", `Warning: ${message}\n`);
    },
  });
}

/** Adapter errors become failed results with the same message. */
export function asFailure(e: unknown, result: Record<string, unknown> = {}): unknown {
  return e instanceof KubeError ? new ActionFailure(e.message, { ...result, error_kind: e.kind }) : e;
}

/**
 * Run `fn` against the step's cluster. API server warnings become the result's `warnings`; a failure keeps
 * what `partial` says was done before it (so a failed apply still reports the objects it changed).
 */
export async function withCluster<T extends Record<string, unknown>>(
  args: { context?: string | undefined; kubeconfig?: string | undefined },
  ctx: ActionContext,
  fn: (client: KubeClient) => Promise<T>,
  partial: () => Record<string, unknown> = () => ({}),
): Promise<T & { warnings?: string[] }> {
  const warnings: string[] = [];
  const withWarnings = <R extends Record<string, unknown>>(r: R) => (warnings.length ? { ...r, warnings } : r);
  try {
    return withWarnings(await fn(await clusterFor(args, ctx, warnings)));
  } catch (e) {
    throw asFailure(e, withWarnings(partial()));
  }
}

export interface ManifestSource {
  definition?: string | Obj | Obj[] | undefined;
  src?: string | undefined;
  template?: string | undefined;
  vars?: Record<string, unknown> | undefined;
}

// `kind: List` (what `kubectl get -o yaml` prints) holds its objects in `items`.
const flattenLists = (docs: unknown[]): unknown[] =>
  docs.flatMap((d) => {
    const o = d as Obj | null;
    return o && typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items) ? o.items : [d];
  });

/** The objects a k8s step names: inline `definition`, a YAML `src` file, or a Handlebars `template`. */
export async function loadManifests(args: ManifestSource, ctx: ActionContext): Promise<Obj[]> {
  let docs: unknown[];
  if (args.src !== undefined || args.template !== undefined) {
    const file =
      args.template !== undefined ? await ctx.resolveTemplate(args.template) : resolve(ctx.baseDir, args.src!);
    const bytes = await ctx.fs.readFile(file);
    if (bytes === undefined) throw new ActionFailure(`manifest file ${file} not found`);
    const text =
      args.template !== undefined ? ctx.render(bytes.toString("utf8"), args.vars, file) : bytes.toString("utf8");
    docs = parseYamlAll(file, text, KUBECTL_SCALARS);
  } else if (typeof args.definition === "string") {
    docs = parseYamlAll(
      `${ctx.step.location?.file ?? "<k8s>"} (definition of step "${ctx.step.name}")`,
      args.definition,
      KUBECTL_SCALARS,
    );
  } else {
    docs = Array.isArray(args.definition) ? args.definition : [args.definition];
  }
  try {
    // Copies: the adapter fills in namespaces and must not touch the playbook's values.
    return (await loadKube()).checkShape(flattenLists(docs)).map((o) => structuredClone(o));
  } catch (e) {
    throw asFailure(e);
  }
}
