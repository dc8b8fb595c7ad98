import {
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import { HttpError, KubeError, translate, type Where } from "./errors.js";

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

/**
 * KubernetesObjectApi with plain JSON in and out. The generated model classes would turn timestamps into
 * Dates and, on the way out, drop fields they do not know and rename others (a CRD's
 * `x-kubernetes-preserve-unknown-fields` is silently lost), so requests are built here and responses kept raw.
 * Discovery (kind → resource, cached per group version), auth and TLS stay the library's.
 */
class RawObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawObjectApi {
    const api = kc.makeApiClient(RawObjectApi);
    api.defaultNamespace = api.setDefaultNamespace(kc);
    // The library makes a new TLS dispatcher for every request; reuse the first one to keep connections alive.
    const auth = api.configuration.authMethods.default;
    let dispatcher: ReturnType<RequestContext["getDispatcher"]>;
    if (auth) {
      api.configuration.authMethods.default = {
        getName: () => auth.getName(),
        applySecurityAuthentication: async (ctx) => {
          await auth.applySecurityAuthentication(ctx);
          dispatcher ??= ctx.getDispatcher();
          if (dispatcher) ctx.setDispatcher(dispatcher);
        },
      };
    }
    return api;
  }

  get namespace(): string {
    return this.defaultNamespace;
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { message: text };
    }
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return body as T;
    throw new HttpError(response.httpStatusCode, body as Obj | undefined);
  }

  async call(
    method: HttpMethod,
    path: string,
    query: Record<string, string | undefined>,
    body?: unknown,
    type?: string,
  ) {
    const rc = this.configuration.baseServer.makeRequestContext(path, method);
    rc.setHeaderParam("Accept", "application/json");
    for (const [k, v] of Object.entries(query)) if (v !== undefined) rc.setQueryParam(k, v);
    if (body !== undefined) {
      rc.setHeaderParam("Content-Type", type ?? "application/json");
      rc.setBody(JSON.stringify(body));
    }
    return (await this.requestPromise(rc)) as unknown as Obj;
  }

  lookup(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }

  forgetDiscovery(): void {
    this.apiVersionResourceCache = {};
  }
}

const meta = (o: Obj): Obj => (o.metadata ?? {}) as Obj;

/** One cluster, reached through one kubeconfig context. Every error comes out as a KubeError. */
export class KubeClient {
  readonly where: Where;
  private readonly api: RawObjectApi;

  constructor(kc: KubeConfig, context: string, server: string) {
    this.api = RawObjectApi.forConfig(kc);
    this.where = { context, server };
  }

  /** The namespace of the context (or `default`), for namespaced objects that name none. */
  get defaultNamespace(): string {
    return this.api.namespace || "default";
  }

  /** Kind → resource through discovery; an unknown kind lists the API groups the cluster serves. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let found: Awaited<ReturnType<RawObjectApi["lookup"]>>;
    try {
      found = await this.api.lookup(apiVersion, kind);
    } catch (e) {
      if (!(e instanceof HttpError && e.code === 404)) throw translate(e, this.where, `discovery of ${apiVersion}`);
    }
    if (found) return { apiVersion, kind, plural: found.name, namespaced: found.namespaced };
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
      const core = await this.api.call(HttpMethod.GET, "/api", {});
      const apis = await this.api.call(HttpMethod.GET, "/apis", {});
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
    this.api.forgetDiscovery();
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
      return await this.api.call(HttpMethod.GET, this.path(r, ref.namespace, ref.name), {});
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
      const list = await this.api.call(HttpMethod.GET, this.path(r, opts.namespace), query);
      // List items carry neither apiVersion nor kind on a real server.
      return ((list.items ?? []) as Obj[]).map((o) => ({ apiVersion, kind, ...o }));
    } catch (e) {
      throw translate(e, this.where, `listing ${kind}`);
    }
  }

  /** Server-side apply as field manager `runbook`. */
  async apply(obj: Obj, info: ResourceInfo, opts: { force: boolean; dryRun: boolean }): Promise<Obj> {
    const m = meta(obj);
    const query = { fieldManager: "runbook", force: String(opts.force), dryRun: opts.dryRun ? "All" : undefined };
    try {
      const path = this.path(info, m.namespace as string | undefined, String(m.name));
      return await this.api.call(HttpMethod.PATCH, path, query, obj, PatchStrategy.ServerSideApply);
    } catch (e) {
      throw translate(e, this.where, describe(refOf(obj)));
    }
  }

  /** Delete with foreground propagation; undefined when it was already gone. */
  async delete(ref: ObjectRef, info: ResourceInfo, opts: { dryRun: boolean }): Promise<Obj | undefined> {
    const query = { propagationPolicy: "Foreground", dryRun: opts.dryRun ? "All" : undefined };
    try {
      return await this.api.call(HttpMethod.DELETE, this.path(info, ref.namespace, ref.name), query);
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
