import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { testCertificate } from "./cert.js";
import { groupVersion, type ResourceType } from "./discovery.js";
import { isCollection, type RecordedRequest, readBody, route } from "./routes.js";
import { condition, readyStatusFor } from "./status.js";
import { KubeStore, StatusError, type StoreOptions, status } from "./store.js";

type Obj = Record<string, unknown>;

/** A bad day on demand: what the next matching requests meet instead of (or before) a normal answer. */
export interface Fault {
  /** Which requests; all when absent. */
  match?: (r: { method: string; path: string; query: Record<string, string> }) => boolean;
  /** How many matching requests meet it (default 1). */
  times?: number;
  /** Answer with this status (429, 503...) and a Status body. */
  status?: number;
  /** `Retry-After` seconds sent with `status`. */
  retryAfter?: number;
  /** Wait this long before answering (slow server). */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Close the connection without an answer (ECONNRESET / socket hang up). */
  reset?: boolean;
  /** Add a `Warning: 299 - "<text>"` header to the normal answer. */
  warning?: string;
}

export interface FakeKubeOptions extends StoreOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** RBAC without the `list` verb: every collection GET is 403. */
  forbidList?: boolean;
  /** Every answer waits this long (a real API server's admission, etcd write and network: a few ms). */
  latencyMs?: number;
}

/**
 * A loopback stand-in for a Kubernetes API server, for tests and benchmarks. It speaks HTTPS with a
 * certificate made for the test, serves legacy discovery, CRUD, server-side apply with field managers,
 * `dryRun=All`, deletion with propagation, selectors and resourceVersion/generation bookkeeping.
 *
 * What it simplifies: no watches, pagination, admission, RBAC or controllers (status changes only through
 * the hooks below or `autoReady`); one stored version per kind (no conversion); only the associative lists
 * of fields.ts merge by key in server-side apply; a few validation rules only; no pods or nodes.
 */
export class FakeKube {
  readonly store: KubeStore;
  /** Every request answered, oldest first. */
  readonly requests: RecordedRequest[] = [];
  private waiters: Array<{ test: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> = [];
  private server: Server | undefined;
  url = "";
  readonly ca: string;
  /** TCP connections accepted (a handshake that fails counts too): shows whether a client keeps them alive. */
  connections = 0;
  /** Of those, the ones whose TLS handshake succeeded. */
  tlsConnections = 0;
  /** Requests received (answered or not), by `User-Agent`. */
  readonly userAgents: string[] = [];
  private faults: Array<Fault & { left: number }> = [];

  /** Make the next matching requests fail, stall or warn (see Fault). */
  fault(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  constructor(readonly options: FakeKubeOptions = {}) {
    this.store = new KubeStore(options);
    this.ca = testCertificate().cert;
  }

  async start(): Promise<this> {
    const { cert, key } = testCertificate();
    const server = createServer({ cert, key }, (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const query = Object.fromEntries(url.searchParams);
        const contentType = req.headers["content-type"];
        let body: unknown;
        let answer: { code: number; body: unknown };
        const headers: Record<string, string> = { "content-type": "application/json" };
        this.userAgents.push(String(req.headers["user-agent"] ?? ""));
        try {
          body = await readBody(req);
          const seen = { method: req.method ?? "GET", path: url.pathname, query };
          const fault = this.faults.find((f) => f.left > 0 && (!f.match || f.match(seen)));
          if (fault) {
            fault.left--;
            if (fault.hang) return;
            if (fault.reset) return req.socket.destroy();
            if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
            if (fault.warning) headers.warning = `299 - "${fault.warning.replace(/"/g, '\\"')}"`;
            if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
            if (fault.status) {
              const reason = fault.status === 429 ? "TooManyRequests" : "ServiceUnavailable";
              throw status(fault.status, reason, `injected ${fault.status}`);
            }
          }
          if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`)
            throw status(401, "Unauthorized", "Unauthorized");
          if (this.options.forbidList && req.method === "GET" && isCollection(this.store, url.pathname))
            throw status(403, "Forbidden", `cannot list resource at ${url.pathname}: forbidden`);
          answer = route(this.store, req.method ?? "GET", url.pathname, query, body, contentType);
          if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
        } catch (e) {
          answer = e instanceof StatusError ? { code: e.code, body: e.body } : { code: 500, body: String(e) };
        }
        if (res.destroyed) return;
        const warned = (answer as { warnings?: string[] }).warnings ?? [];
        if (warned.length) headers.warning = warned.map((w) => `299 - "${w.replace(/"/g, '\\"')}"`).join(", ");
        res.writeHead(answer.code, headers);
        res.end(JSON.stringify(answer.body));
        const rec = { method: req.method ?? "GET", path: url.pathname, query, contentType, body, status: answer.code };
        this.requests.push(rec);
        for (const w of this.waiters.filter((w) => w.test(rec))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      })();
    });
    server.on("connection", () => this.connections++);
    server.on("secureConnection", () => this.tlsConnections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the next answered request that matches (e.g. the GET of a Deployment being waited for). */
  nextRequest(test: (r: RecordedRequest) => boolean): Promise<RecordedRequest> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  type(kind: string, apiVersion?: string): ResourceType {
    const t = this.store.types().find((x) => x.kind === kind && (!apiVersion || groupVersion(x) === apiVersion));
    if (!t) throw new Error(`fake-kube: no kind ${kind} ${apiVersion ?? ""}`);
    return t;
  }

  /** The object as stored (with managedFields), or undefined. */
  object(kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const t = this.type(kind);
    const s = this.store.objects.get(this.store.key(t, namespace, name));
    return s && this.store.render(s);
  }

  /** Every object of a kind (or all), rendered. */
  objects(kind?: string): Obj[] {
    return [...this.store.objects.values()]
      .filter((s) => !kind || s.type.kind === kind)
      .map((s) => this.store.render(s));
  }

  /** Server-side apply as another field manager (helm, kubectl...), to set up ownership conflicts. */
  applyAs(manager: string, obj: Obj, force = false): Obj {
    const m = (obj.metadata ?? {}) as Obj;
    const t = this.type(String(obj.kind), String(obj.apiVersion));
    // As kubectl: a namespaced object that names no namespace is in `default`.
    const ns = t.namespaced ? ((m.namespace as string | undefined) ?? "default") : undefined;
    return this.store.apply(t, ns, String(m.name), obj, manager, force).object;
  }

  /** Remove an object's finalizers (all, or those named), as their controller does; a deleted object then goes. */
  removeFinalizers(kind: string, namespace: string | undefined, name: string, which?: string[]): void {
    this.store.removeFinalizers(this.store.get(this.type(kind), namespace, name), which);
  }

  /** Merge `status` into an object, as its controller would. */
  setStatus(kind: string, namespace: string | undefined, name: string, patch: Obj): void {
    const t = this.type(kind);
    this.store.setStatus(this.store.get(t, namespace, name), patch);
  }

  /** Write the status a controller writes once the object is ready (rolled out, Established, Programmed...). */
  markReady(kind: string, namespace: string | undefined, name: string): void {
    const s = this.store.get(this.type(kind), namespace, name);
    const ready = readyStatusFor(s);
    if (!ready) throw new Error(`fake-kube: ${kind} has no built-in readiness; use setCondition`);
    this.store.setStatus(s, ready);
  }

  /** Set (or replace) one condition in `status.conditions`. */
  setCondition(
    kind: string,
    namespace: string | undefined,
    name: string,
    type: string,
    value: "True" | "False" | "Unknown",
    message = "",
  ): void {
    const s = this.store.get(this.type(kind), namespace, name);
    const conditions = (((s.object.status as Obj | undefined)?.conditions ?? []) as Obj[]).filter(
      (c) => c.type !== type,
    );
    this.store.setStatus(s, { conditions: [...conditions, condition(type, value, message)] });
  }
}

export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  return new FakeKube(options).start();
}
