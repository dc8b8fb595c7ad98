import { groupVersion, type ResourceType } from "./discovery.js";

type Obj = Record<string, unknown>;

const gvPath = (gv: string) => (gv.includes("/") ? `apis/${gv}` : `api/${gv}`);

/**
 * The OpenAPI v3 documents, reduced to what kubectl reads before a server-side apply with
 * `--validate=strict` (its default): the root lists one document per group version, and each document's
 * PATCH operations name their kind (`x-kubernetes-group-version-kind`) and take `fieldValidation`. With it,
 * kubectl leaves validation to the server (`fieldValidation=Strict`), as runbook does. No schemas.
 */
export function openapiV3(types: ResourceType[], path: string): Obj | undefined {
  const gvs = [...new Set(types.map(groupVersion))];
  if (path === "/openapi/v3")
    return {
      paths: Object.fromEntries(gvs.map((gv) => [gvPath(gv), { serverRelativeURL: `/openapi/v3/${gvPath(gv)}` }])),
    };
  const gv = gvs.find((g) => path === `/openapi/v3/${gvPath(g)}`);
  if (!gv) return undefined;
  const paths: Obj = {};
  for (const t of types.filter((x) => groupVersion(x) === gv)) {
    const ns = t.namespaced ? "namespaces/{namespace}/" : "";
    paths[`/${gvPath(gv)}/${ns}${t.plural}/{name}`] = {
      patch: {
        "x-kubernetes-group-version-kind": { group: t.group, version: t.version, kind: t.kind },
        parameters: [
          { name: "fieldManager", in: "query", schema: { type: "string" } },
          { name: "fieldValidation", in: "query", schema: { type: "string" } },
          { name: "force", in: "query", schema: { type: "boolean" } },
        ],
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes (fake-kube)", version: "v1.32.0" }, paths };
}
