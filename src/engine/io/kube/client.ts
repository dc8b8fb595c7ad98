import { HttpError, KubeError, translate, type Where } from "./errors.js";
import type { Kubeconfig } from "./kubeconfig.js";
import { type CallOptions, Transport } from "./transport.js";

export type Obj = Record<string, unknown>;

/** Where an object lives: what discovery says about its kind. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

type ResourceList = Array<{ name: string; kind: string; namespaced: boolean }>;

interface Shared {
  transport: Transport;
  /** Group version → its resources, one request per group version however many ask at once. */
  discovery: Map<string, Promise<ResourceList | undefined>>;
}

const meta = (o: Obj): Obj => (o.metadata ?? {}) as Obj;
const APPLY_PATCH = "application/apply-patch+yaml";
export const FIELD_MANAGER = "runbook";

/**
 * One cluster, reached through one kubeconfig context. Every error comes out as a KubeError. Requests are
 * built here and answers kept as plain JSON (the library's model classes would drop unknown fields); the
 * library only reads kubeconfigs and credentials. `scoped()` gives a step its own signal, deadline and warnings.
 */
export class KubeClient {
  readonly where: Where;
  private readonly shared: Shared;
  private readonly call: CallOptions;
  private readonly namespaceOfContext: string;

  constructor(kc: Kubeconfig, context: string, server: string) {
    this.where = { context, server };
    this.shared = { transport: new Transport(kc, server), discovery: new Map() };
    this.namespaceOfContext = kc.getContextObject(context)?.namespace ?? "";
    this.call = {};
  }

  /** The same cluster (connections, discovery) with one step's abort signal, deadline and warning sink. */
  scoped(call: CallOptions): KubeClient {
    return Object.assign(Object.create(KubeClient.prototype) as KubeClient, this, { call });
  }

  get transport(): Transport {
    return this.shared.transport;
  }

  /** The namespace of the context (or `default`), for namespaced objects that name none. */
  get defaultNamespace(): string {
    return this.namespaceOfContext || "default";
  }

  private async send(
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    body?: unknown,
    type?: string,
  ) {
    const answer = await this.shared.transport.send(method, path, query, this.call, body, type);
    return (answer.body ?? {}) as Obj;
  }

  private resources(apiVersion: string): Promise<ResourceList | undefined> {
    let found = this.shared.discovery.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.send("GET", path, {}).then(
        (list) => (list.resources ?? []) as ResourceList,
        (e) => {
          if (e instanceof HttpError && e.code === 404) return undefined;
          throw e;
        },
      );
      this.shared.discovery.set(apiVersion, found);
      // A failed lookup is not cached: the next one asks again.
      found.catch(() => this.shared.discovery.delete(apiVersion));
    }
    return found;
  }

  /** Kind → resource through discovery (cached per cluster); an unknown kind lists the API groups served. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let list: ResourceList | undefined;
    try {
      list = await this.resources(apiVersion);
    } catch (e) {
      throw translate(e, this.where, `discovery of ${apiVersion}`);
    }
    const found = list?.find((r) => r.kind === kind && !r.name.includes("/"));
    if (found) return { apiVersion, kind, plural: found.name, namespaced: found.namespaced };
    // Not known (yet): forget the answer so a CRD established later is found.
    this.shared.discovery.delete(apiVersion);
    const groups = await this.apiGroups();
    throw new KubeError(
      "unknown-kind",
      `the cluster (context "${this.where.context}") has no kind ${kind} in ${apiVersion}; ` +
        `API groups discovered: ${groups.join(", ")}`,
    );
  }

  /** Every group version the server offers (`v1` for the core group). */
  async apiGroups(): Promise<string[]> {
    try {
      const core = await this.send("GET", "/api", {});
      const apis = await this.send("GET", "/apis", {});
      const groups = (apis.groups ?? []) as Array<{ versions?: Array<{ groupVersion: string }> }>;
      return [
        ...((core.versions ?? []) as string[]),
        ...groups.flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion)),
      ];
    } catch (e) {
      throw translate(e, this.where, "API discovery");
    }
  }

  /** Forget cached discovery, after CRDs were added. */
  refreshDiscovery(): void {
    this.shared.discovery.clear();
  }

  private path(info: ResourceInfo, namespace: string | undefined, name?: string): string {
    const root = info.apiVersion.includes("/") ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    return `${root}${ns}/${info.plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  /** The object, or undefined when it does not exist. */
  async get(ref: ObjectRef, info?: ResourceInfo): Promise<Obj | undefined> {
    const r = info ?? (await this.resolve(ref.apiVersion, ref.kind));
    try {
      return await this.send("GET", this.path(r, ref.namespace, ref.name), {});
    } catch (e) {
      if (e instanceof HttpError && e.code === 404) return undefined;
      throw translate(e, this.where, `reading ${describe(ref)}`);
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string | undefined; labelSelector?: string | undefined; fieldSelector?: string | undefined },
  ): Promise<Obj[]> {
    const r = await this.resolve(apiVersion, kind);
    const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
    try {
      const list = await this.send("GET", this.path(r, opts.namespace), query);
      // List items carry neither apiVersion nor kind on a real server.
      return ((list.items ?? []) as Obj[]).map((o) => ({ apiVersion, kind, ...o }));
    } catch (e) {
      throw translate(e, this.where, `listing ${kind}`);
    }
  }

  /** Server-side apply as field manager `runbook`. */
  async apply(obj: Obj, info: ResourceInfo, opts: { force: boolean; dryRun: boolean }): Promise<Obj> {
    return (await this.applied(obj, info, opts)).object;
  }

  /** Server-side apply, saying whether the server created the object (201) or updated it (200). */
  async applied(
    obj: Obj,
    info: ResourceInfo,
    opts: { force: boolean; dryRun: boolean },
  ): Promise<{ object: Obj; created: boolean }> {
    const m = meta(obj);
    // Strict, as kubectl's default --validate=strict: an unknown or duplicate field fails instead of vanishing.
    const query = {
      fieldManager: FIELD_MANAGER,
      fieldValidation: "Strict",
      force: String(opts.force),
      dryRun: opts.dryRun ? "All" : undefined,
    };
    try {
      const path = this.path(info, m.namespace as string | undefined, String(m.name));
      const answer = await this.shared.transport.send("PATCH", path, query, this.call, obj, APPLY_PATCH);
      return { object: (answer.body ?? {}) as Obj, created: answer.status === 201 };
    } catch (e) {
      throw translate(e, this.where, describe(refOf(obj)));
    }
  }

  /** Delete with foreground propagation; undefined when it was already gone. */
  async delete(ref: ObjectRef, info: ResourceInfo, opts: { dryRun: boolean }): Promise<Obj | undefined> {
    const query = { propagationPolicy: "Foreground", dryRun: opts.dryRun ? "All" : undefined };
    try {
      return await this.send("DELETE", this.path(info, ref.namespace, ref.name), query);
    } catch (e) {
      if (e instanceof HttpError && e.code === 404) return undefined;
      throw translate(e, this.where, `deleting ${describe(ref)}`);
    }
  }
}

export function refOf(obj: Obj): ObjectRef {
  const m = meta(obj);
  return {
    apiVersion: String(obj.apiVersion ?? "v1"),
    kind: String(obj.kind ?? ""),
    name: String(m.name ?? ""),
    namespace: typeof m.namespace === "string" ? m.namespace : undefined,
  };
}

/** `Kind namespace/name` or `Kind name`. */
export function describe(ref: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
