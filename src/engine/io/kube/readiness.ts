import type { Obj } from "./client.js";

/** `{type, status}` a custom resource must reach (the step's `wait_condition`). */
export interface WaitCondition {
  type: string;
  status: string;
}

export interface Readiness {
  ready: boolean;
  /** What is still missing ("1/3 replicas updated"), or why it can never be ready. */
  detail: string;
  /** Set when the object reached a terminal failure (a failed Job): waiting more is pointless. */
  failed?: boolean;
}

interface Condition {
  observedGeneration?: number;
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const conditionsOf = (o: Obj): Condition[] => (((o.status ?? {}) as Obj).conditions ?? []) as Condition[];

/** The most recent condition message, for timeout errors. */
export function lastConditionMessage(o: Obj): string | undefined {
  const sorted = [...conditionsOf(o)].sort((a, b) =>
    (b.lastTransitionTime ?? "").localeCompare(a.lastTransitionTime ?? ""),
  );
  const c = sorted.find((x) => x.status !== "True" && x.message) ?? sorted.find((x) => x.message);
  return c ? `${c.type}=${c.status}: ${c.message}` : undefined;
}

const generationOf = (o: Obj) => num((o.metadata as Obj | undefined)?.generation);

function hasCondition(o: Obj, type: string, status = "True"): Readiness {
  const c = conditionsOf(o).find((x) => x.type === type);
  // A condition written for an older spec (Gateway API sets observedGeneration on each) says nothing yet.
  if (c && typeof c.observedGeneration === "number" && c.observedGeneration < generationOf(o))
    return {
      ready: false,
      detail: `${type}=${c.status} is for generation ${c.observedGeneration}, not ${generationOf(o)}`,
    };
  if (c?.status === status) return { ready: true, detail: `${type}=${status}` };
  return {
    ready: false,
    detail: c ? `${type}=${c.status}${c.reason ? ` (${c.reason})` : ""}` : `no ${type} condition yet`,
  };
}

// A controller that has not seen the latest spec reports the previous rollout's numbers.
function observed(o: Obj): Readiness | undefined {
  const generation = num((o.metadata as Obj | undefined)?.generation);
  const seen = num((o.status as Obj | undefined)?.observedGeneration);
  return seen < generation ? { ready: false, detail: `generation ${generation} not observed yet` } : undefined;
}

/** kubectl rollout status's rules (polymorphichelpers/rollout_status.go), kind by kind. */
function rollout(o: Obj): Readiness {
  const st = (o.status ?? {}) as Obj;
  const spec = (o.spec ?? {}) as Obj;
  const want = typeof spec.replicas === "number" ? num(spec.replicas) : 1;
  if (o.kind === "DaemonSet") {
    const desired = num(st.desiredNumberScheduled);
    if (num(st.updatedNumberScheduled) < desired)
      return { ready: false, detail: `${num(st.updatedNumberScheduled)}/${desired} pods updated` };
    if (num(st.numberAvailable) < desired)
      return { ready: false, detail: `${num(st.numberAvailable)}/${desired} pods available` };
    return { ready: true, detail: `${desired}/${desired} pods available` };
  }
  if (o.kind === "StatefulSet") {
    if (num(st.readyReplicas) < want)
      return { ready: false, detail: `${num(st.readyReplicas)}/${want} replicas ready` };
    const strategy = (spec.updateStrategy ?? {}) as Obj;
    const partition = num((strategy.rollingUpdate as Obj | undefined)?.partition);
    if (partition > 0) {
      if (num(st.updatedReplicas) < want - partition)
        return {
          ready: false,
          detail: `${num(st.updatedReplicas)}/${want - partition} pods updated (partition ${partition})`,
        };
      return { ready: true, detail: `partitioned rollout: ${num(st.updatedReplicas)} pods updated` };
    }
    if (st.updateRevision !== undefined && st.updateRevision !== st.currentRevision)
      return {
        ready: false,
        detail: `${num(st.updatedReplicas)}/${want} pods at revision ${String(st.updateRevision)}`,
      };
    return { ready: true, detail: `${want}/${want} replicas ready` };
  }
  // Deployment
  const stalled = conditionsOf(o).find((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded");
  if (stalled)
    return {
      ready: false,
      failed: true,
      detail: `rollout stalled: ${stalled.message ?? "progress deadline exceeded"}`,
    };
  if (num(st.updatedReplicas) < want)
    return { ready: false, detail: `${num(st.updatedReplicas)}/${want} replicas updated` };
  if (num(st.replicas) > num(st.updatedReplicas))
    return { ready: false, detail: `${num(st.replicas) - num(st.updatedReplicas)} old replicas pending termination` };
  // availableReplicas counts a pod only once it has been ready for minReadySeconds.
  if (num(st.availableReplicas) < num(st.updatedReplicas))
    return {
      ready: false,
      detail: `${num(st.availableReplicas)}/${num(st.updatedReplicas)} updated replicas available`,
    };
  return { ready: true, detail: `${want}/${want} replicas available` };
}

/** What `wait: true` waits for, by kind; `condition` (`wait_condition`) must hold as well, on any kind. */
export function readiness(o: Obj, condition?: WaitCondition): Readiness {
  const builtIn = kindReadiness(o);
  if (!builtIn.ready || !condition) return builtIn;
  return hasCondition(o, condition.type, condition.status);
}

function kindReadiness(o: Obj): Readiness {
  const group = String(o.apiVersion ?? "").split("/")[0];
  switch (o.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
      return observed(o) ?? rollout(o);
    case "CustomResourceDefinition":
      return hasCondition(o, "Established");
    case "Job": {
      const failed = conditionsOf(o).find((c) => c.type === "Failed" && c.status === "True");
      if (failed) return { ready: false, failed: true, detail: `job failed: ${failed.message ?? failed.reason ?? ""}` };
      return hasCondition(o, "Complete");
    }
  }
  if (o.kind === "Gateway" && group === "gateway.networking.k8s.io") return hasCondition(o, "Programmed");
  // A controller that reports observedGeneration has not acted on the latest spec until it catches up.
  const reports = typeof ((o.status ?? {}) as Obj).observedGeneration === "number";
  return (reports ? observed(o) : undefined) ?? { ready: true, detail: "exists" };
}
