import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { discoveryRoot, groupVersion, type ResourceType, resourceList } from "./discovery.js";
import { openapiV3 } from "./openapi.js";
import { type KubeStore, status } from "./store.js";

type Obj = Record<string, unknown>;

/** A request as the stand-in saw it: what tests inspect to check what a client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
  status: number;
}

export interface Answer {
  code: number;
  body: unknown;
  /** `Warning` header texts. */
  warnings?: string[];
}

interface Target {
  type: ResourceType;
  ns: string | undefined;
  name: string | undefined;
}

// /api/v1/... or /apis/<group>/<version>/... → the resource type, namespace and name addressed.
function target(store: KubeStore, parts: string[]): Target | { discovery: string } | undefined {
  const core = parts[0] === "api";
  const gv = core ? parts[1] : parts[2] && `${parts[1]}/${parts[2]}`;
  if (!gv) return undefined;
  const rest = parts.slice(core ? 2 : 3);
  if (rest.length === 0) return { discovery: gv };
  const types = store.types().filter((t) => groupVersion(t) === gv);
  const find = (plural: string | undefined) => types.find((t) => t.plural === plural);
  if (rest[0] === "namespaces" && rest.length >= 3 && find(rest[2])?.namespaced) {
    const type = find(rest[2])!;
    return rest.length <= 4 ? { type, ns: rest[1], name: rest[3] } : undefined;
  }
  const type = find(rest[0]);
  return type && rest.length <= 2 ? { type, ns: undefined, name: rest[1] } : undefined;
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return undefined;
  // application/apply-patch+yaml may be YAML; JSON is YAML too.
  return parseYaml(text);
}

/** Route one request against a store: discovery, get/list, apply (PATCH), create (POST), delete. */
export function route(
  store: KubeStore,
  method: string,
  path: string,
  q: Record<string, string>,
  body: unknown,
  contentType = "",
): Answer {
  const parts = path.split("/").filter(Boolean);
  if (method === "GET" && path === "/version")
    return { code: 200, body: { major: "1", minor: "32", gitVersion: "v1.32.0-fake-kube" } };
  if (method === "GET" && path.startsWith("/openapi/v3")) {
    const doc = openapiV3(store.types(), path);
    if (!doc) throw status(404, "NotFound", "the server could not find the requested resource");
    return { code: 200, body: doc };
  }
  if (method === "GET" && (path === "/api" || path === "/apis"))
    return { code: 200, body: discoveryRoot(store.types(), path === "/api") };
  const t = parts[0] === "api" || parts[0] === "apis" ? target(store, parts) : undefined;
  if (!t) throw status(404, "NotFound", "the server could not find the requested resource");
  if ("discovery" in t) {
    const list = method === "GET" ? resourceList(store.types(), t.discovery) : undefined;
    if (!list) throw status(404, "NotFound", "the server could not find the requested resource");
    return { code: 200, body: list };
  }
  const dryRun = q.dryRun === "All";
  const { type, ns, name } = t;
  if (method === "GET" && name) return { code: 200, body: store.render(store.get(type, ns, name), type) };
  if (method === "GET") {
    const items = store.list(type, ns, q.labelSelector, q.fieldSelector).map((s) => store.render(s, type));
    return {
      code: 200,
      body: { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata: { resourceVersion: "" }, items },
    };
  }
  if (method === "PATCH" && name) {
    if (!contentType.startsWith("application/apply-patch"))
      throw status(415, "UnsupportedMediaType", `the stand-in only supports server-side apply, not ${contentType}`);
    if (!q.fieldManager)
      throw status(422, "Invalid", "PATCH, fieldManager: Required value: is required for apply patch");
    const force = q.force === "true";
    const out = store.apply(type, ns, name, body as Obj, q.fieldManager, force, dryRun, q.fieldValidation);
    return { code: out.created ? 201 : 200, body: out.object, warnings: out.warnings };
  }
  if (method === "POST" && !name) {
    const obj = body as Obj;
    const objName = String((obj.metadata as Obj | undefined)?.name ?? "");
    if (store.objects.has(store.key(type, ns, objName)))
      throw status(409, "AlreadyExists", `${type.plural} "${objName}" already exists`);
    const out = store.apply(type, ns, objName, obj, q.fieldManager ?? "unknown", true, dryRun);
    return { code: 201, body: out.object };
  }
  if (method === "DELETE" && name) {
    const policy = q.propagationPolicy ?? ((body as Obj | undefined)?.propagationPolicy as string | undefined);
    return { code: 200, body: store.delete(type, ns, name, policy, dryRun) };
  }
  throw status(405, "MethodNotAllowed", `${method} is not supported on ${path}`);
}

/** Does this path name a collection (a LIST when read)? */
export function isCollection(store: KubeStore, path: string): boolean {
  const t = target(store, path.split("/").filter(Boolean));
  return t !== undefined && !("discovery" in t) && t.name === undefined;
}
