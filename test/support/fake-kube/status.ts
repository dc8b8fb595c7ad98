import type { StoreOptions } from "./store.js";

type Obj = Record<string, unknown>;
interface Subject {
  type: { kind: string; group: string };
  object: Obj;
}

export function condition(type: string, status: "True" | "False" | "Unknown", message = "", reason = type): Obj {
  return { type, status, reason, message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
}

/**
 * The status a controller would write once the object is ready (the stand-in has one node and no pods:
 * it only writes the fields clients read). undefined for kinds that have no readiness of their own.
 */
export function readyStatusFor(s: Subject): Obj | undefined {
  const generation = ((s.object.metadata ?? {}) as Obj).generation;
  const spec = (s.object.spec ?? {}) as Obj;
  const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
  switch (s.type.kind) {
    case "Deployment":
      return {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          condition("Available", "True", "Deployment has minimum availability.", "MinimumReplicasAvailable"),
        ],
      };
    case "StatefulSet":
      return { observedGeneration: generation, replicas, readyReplicas: replicas, updatedReplicas: replicas };
    case "DaemonSet":
      return {
        observedGeneration: generation,
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        updatedNumberScheduled: 1,
        numberReady: 1,
        numberAvailable: 1,
      };
    case "Job":
      return { succeeded: 1, conditions: [condition("Complete", "True")] };
    case "CustomResourceDefinition":
      return {
        acceptedNames: spec.names,
        conditions: [condition("NamesAccepted", "True"), condition("Established", "True")],
      };
    case "Gateway":
      if (s.type.group !== "gateway.networking.k8s.io") return undefined;
      return { conditions: [condition("Accepted", "True"), condition("Programmed", "True")] };
    default:
      return undefined;
  }
}

/** The status written automatically after a write, per the store's options. */
export function readyStatus(s: Subject, options: StoreOptions): Obj | undefined {
  if (s.type.kind === "CustomResourceDefinition") {
    return options.autoEstablishCrds === false ? undefined : readyStatusFor(s);
  }
  return options.autoReady ? readyStatusFor(s) : undefined;
}
