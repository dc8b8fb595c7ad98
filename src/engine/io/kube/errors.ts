/** What went wrong talking to a cluster; actions turn it into an ActionFailure with the same message. */
export type KubeErrorKind =
  | "config"
  | "unreachable"
  | "unauthorized"
  | "conflict"
  | "invalid"
  | "unknown-kind"
  | "not-found"
  | "timeout"
  | "failed"
  | "api";

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KubeError";
  }
}

/** A non-2xx answer from the API server, with its `Status` body when it sent one. */
export class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: Record<string, unknown> | undefined,
  ) {
    super(typeof body?.message === "string" ? body.message : `HTTP ${code}`);
    this.name = "HttpError";
  }
  get reason(): string | undefined {
    return typeof this.body?.reason === "string" ? this.body.reason : undefined;
  }
}

export interface Where {
  context: string;
  server: string;
}

// undici wraps socket errors as `TypeError: fetch failed` with the system error as `cause`.
function networkCause(e: unknown): string | undefined {
  const chain: Error[] = [];
  for (let cur = e; cur instanceof Error && chain.length < 5; cur = cur.cause) chain.push(cur);
  for (const err of chain) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && code !== "UND_ERR")
      return !err.message || err.message.includes(code) ? err.message || code : `${code}: ${err.message}`;
  }
  if (!chain.some((err) => /fetch failed/.test(err.message))) return undefined;
  return chain.at(-1)?.message.replace(/^.*: (fetch failed)$/, "$1");
}

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_SIGNATURE_FAILURE",
]);

// Node's own message for these suggests --use-system-ca, which is wrong for a cluster's private CA.
function tlsCause(e: unknown): string | undefined {
  for (let cur = e; cur instanceof Error; cur = cur.cause) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (code && TLS_CODES.has(code)) return code;
  }
  return undefined;
}

function causes(e: HttpError): Array<{ field?: string; message?: string; reason?: string }> {
  const details = e.body?.details as { causes?: unknown } | undefined;
  return Array.isArray(details?.causes) ? details.causes : [];
}

/** Turn anything thrown while talking to the API server into a KubeError that says what to do. */
export function translate(e: unknown, where: Where, subject: string): KubeError {
  if (e instanceof KubeError) return e;
  const at = `context "${where.context}", server ${where.server}`;
  if (!(e instanceof HttpError)) {
    const tls = tlsCause(e);
    if (tls)
      return new KubeError(
        "unreachable",
        `cannot reach the Kubernetes API server (${at}): its certificate is not trusted by the kubeconfig's ` +
          `certificate authority (${tls}); check that the kubeconfig belongs to this cluster ` +
          "(a recreated cluster has a new CA) and that `certificate-authority(-data)` is its CA",
        { cause: e },
      );
    const net = networkCause(e);
    if (net)
      return new KubeError("unreachable", `cannot reach the Kubernetes API server (${at}): ${net}`, { cause: e });
    return new KubeError("api", `${subject}: ${(e as Error)?.message ?? String(e)} (${at})`, { cause: e });
  }
  if (e.code === 401 || e.code === 403) {
    return new KubeError("unauthorized", `${subject}: ${e.message} (HTTP ${e.code}; ${at})`, { cause: e });
  }
  if (e.code === 409 && e.reason === "Conflict" && causes(e).some((c) => c.reason === "FieldManagerConflict")) {
    const managers = new Set<string>();
    const fields: string[] = [];
    for (const c of causes(e)) {
      const m = /conflict with "([^"]+)"/.exec(c.message ?? "");
      if (m) managers.add(m[1]!);
      if (c.field) fields.push(c.field);
    }
    const who = [...managers].map((m) => `"${m}"`).join(", ");
    return new KubeError(
      "conflict",
      `${subject}: fields owned by field manager ${who} would change: ${fields.join(", ")}; ` +
        "set `force_conflicts: true` to take ownership of them",
      { cause: e },
    );
  }
  if (e.code === 422) {
    const list = causes(e).map((c) => `${c.field ?? "?"}: ${c.message ?? c.reason ?? "invalid"}`);
    return new KubeError("invalid", `${subject} is invalid: ${list.length ? list.join("; ") : e.message}`, {
      cause: e,
    });
  }
  if (e.code === 404) return new KubeError("not-found", `${subject}: ${e.message}`, { cause: e });
  return new KubeError("api", `${subject}: ${e.message} (HTTP ${e.code}; ${at})`, { cause: e });
}
