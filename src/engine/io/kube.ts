/**
 * The Kubernetes adapter: the only way into @kubernetes/client-node (whose imports stay in ./kube/; its
 * entry module, ~0.5 s to load, only for auth-provider users: see kube/kubeconfig.ts).
 * One client per kubeconfig content + context, so one run can drive several clusters.
 */
import { KubeClient } from "./kube/client.js";
import { type KubeEnv, type KubeTarget, loadKubeconfig } from "./kube/config.js";

export { formatDuration } from "../duration.js";
export { type ApplyOptions, applyAll, deleteAll, type ObjectAction, type ObjectResult } from "./kube/apply.js";
export { describe, KubeClient, type Obj, type ObjectRef, type ResourceInfo } from "./kube/client.js";
export type { KubeEnv, KubeTarget } from "./kube/config.js";
export { type DryRunResult, dryRunApply, dryRunDelete } from "./kube/dryrun.js";
export { KubeError, type KubeErrorKind } from "./kube/errors.js";
export { checkShape } from "./kube/order.js";
export type { WaitCondition } from "./kube/readiness.js";

const clients = new Map<string, KubeClient>();

/** The client for a kubeconfig (path, KUBECONFIG or ~/.kube/config) and context, cached for the process. */
export async function connect(target: KubeTarget, env: KubeEnv): Promise<KubeClient> {
  const cfg = await loadKubeconfig(target, env);
  let client = clients.get(cfg.key);
  if (!client) {
    client = new KubeClient(cfg.kc, cfg.context, cfg.server);
    clients.set(cfg.key, client);
  }
  return client;
}

/** Drop every cached client (tests; a long-lived process after kubeconfigs change). */
export function forgetClients(): void {
  clients.clear();
}
