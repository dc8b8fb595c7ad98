import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { VERSION } from "../../../version.js";
import { HttpError, KubeError } from "./errors.js";
import type { Kubeconfig } from "./kubeconfig.js";
import { proxyAgent } from "./proxy.js";

/** What one step's requests share: its abort signal (interrupt or step timeout), deadline and warning sink. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Epoch ms after which no retry is started (the step's timeout). */
  deadline?: number | undefined;
  /** API server `Warning` headers (deprecations), each once. */
  warn?: ((message: string) => void) | undefined;
}

export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

// kubectl has no request timeout by default; a request that hangs this long is treated as lost and retried.
export const REQUEST_TIMEOUT_MS = 30_000;
// client-go retries a 429's Retry-After up to 10 times; runbook retries 429/5xx/resets this many times.
const MAX_ATTEMPTS = 8;
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);
const USER_AGENT = `runbook/${VERSION} (${process.platform}/${process.arch}) node/${process.versions.node}`;

/** A `299 - "text"` Warning header's text. */
export function warningText(header: string): string[] {
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.push(m[1]!.replace(/\\(.)/g, "$1"));
  return out.length ? out : [header];
}

/** Seconds or an HTTP date → milliseconds; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * HTTP(S) to one API server with kept-alive connections (one pool per cluster, shared by every step),
 * the kubeconfig's credentials, an abort signal and a per-request timeout on every request, and retries
 * of 429/5xx/connection resets with backoff that honour `Retry-After` and never outlive the deadline.
 */
export class Transport {
  private readonly base: URL;
  private agent: HttpAgent | undefined;
  private tls: Record<string, unknown> = {};
  private staticHeaders: Record<string, string> | undefined;
  private readonly dynamic: boolean;
  private readonly seenWarnings = new Set<string>();
  /** Per request; tests shorten it. */
  requestTimeoutMs = REQUEST_TIMEOUT_MS;

  constructor(
    private readonly kc: Kubeconfig,
    server: string,
  ) {
    this.base = new URL(server);
    const user = kc.getCurrentUser();
    // Exec plugins and auth providers hand out expiring tokens: ask them on every request (they cache).
    this.dynamic = Boolean(user?.exec || user?.authProvider);
  }

  private async credentials(): Promise<Record<string, string>> {
    if (this.staticHeaders) return this.staticHeaders;
    const opts: Record<string, unknown> & { headers?: Record<string, string> } = {};
    try {
      await this.kc.applyToHTTPSOptions(opts as never);
    } catch (e) {
      const user = this.kc.getCurrentUser();
      const exec = user?.exec as { command?: string } | undefined;
      const what = exec?.command
        ? `the kubeconfig's exec credential plugin \`${exec.command}\` (user "${user?.name}")`
        : `the credentials of user "${user?.name}" in the kubeconfig`;
      throw new KubeError("unauthorized", `${what} failed: ${(e as Error).message}`, { cause: e });
    }
    if (!this.agent) {
      this.tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
      };
      const agentOpts = { keepAlive: true, maxSockets: 10, ...this.tls };
      const proxyUrl = this.kc.getCurrentCluster()?.proxyUrl;
      if (proxyUrl) this.agent = proxyAgent(proxyUrl, this.base, this.tls);
      else this.agent = this.base.protocol === "http:" ? new HttpAgent(agentOpts) : new HttpsAgent(agentOpts);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(String(opts.auth)).toString("base64")}`;
    if (!this.dynamic) this.staticHeaders = headers;
    return headers;
  }

  /** One request, retried as described above; non-2xx answers throw HttpError. */
  async send(
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    call: CallOptions,
    body?: unknown,
    contentType?: string,
  ): Promise<Answer> {
    const url = new URL(this.base.pathname.replace(/\/$/, "") + path, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      call.signal?.throwIfAborted();
      let delay: number | undefined;
      let failure: unknown;
      try {
        const answer = await this.once(method, url, call, payload, contentType);
        if (answer.status >= 200 && answer.status < 300) return answer;
        failure = new HttpError(answer.status, answer.body);
        if (RETRY_STATUS.has(answer.status)) delay = answer.retryAfter ?? backoff(attempt);
      } catch (e) {
        if (call.signal?.aborted) throw call.signal.reason ?? e;
        failure = e;
        if (isTransient(e)) delay = backoff(attempt);
      }
      const left = (call.deadline ?? Number.POSITIVE_INFINITY) - Date.now();
      if (delay === undefined || attempt >= MAX_ATTEMPTS || delay >= left) throw failure;
      await sleep(delay, undefined, { signal: call.signal });
    }
  }

  private async once(
    method: string,
    url: URL,
    call: CallOptions,
    payload: string | undefined,
    contentType: string | undefined,
  ): Promise<Answer & { retryAfter?: number | undefined }> {
    const headers: Record<string, string> = {
      ...(await this.credentials()),
      Accept: "application/json",
      "User-Agent": USER_AGENT,
    };
    if (payload !== undefined) {
      headers["Content-Type"] = contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const limit = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, limit]) : limit;
    const send = this.base.protocol === "http:" ? httpRequest : httpsRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal }, resolve);
      req.on("error", (e) => reject(signal.aborted && !call.signal?.aborted ? this.timedOut(e) : e));
      req.end(payload);
    });
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (e) {
      throw signal.aborted && !call.signal?.aborted ? this.timedOut(e) : e;
    }
    const warning = res.headers.warning;
    if (warning && call.warn) {
      for (const w of (Array.isArray(warning) ? warning : [warning]).flatMap(warningText)) {
        if (this.seenWarnings.has(w)) continue;
        this.seenWarnings.add(w);
        call.warn(w);
      }
    }
    const text = Buffer.concat(chunks).toString("utf8");
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      parsed = { message: text };
    }
    return { status: res.statusCode ?? 0, body: parsed, retryAfter: retryAfterMs(res.headers["retry-after"]) };
  }

  /** Warnings seen once are not repeated for later steps... unless the run starts over. */
  forgetWarnings(): void {
    this.seenWarnings.clear();
  }

  private timedOut(cause: unknown): Error {
    const e = new Error(`no answer within ${this.requestTimeoutMs / 1000}s`, { cause }) as NodeJS.ErrnoException;
    e.code = "ETIMEDOUT";
    return e;
  }

  close(): void {
    this.agent?.destroy();
  }
}

// 250 ms, 500 ms, 1 s, 2 s, 4 s, capped at 5 s, with ±20% jitter so parallel requests do not retry in step.
function backoff(attempt: number): number {
  return Math.min(5000, 250 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
}

function isTransient(e: unknown): boolean {
  for (let cur = e; cur instanceof Error; cur = cur.cause) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (code && RETRY_CODES.has(code)) return true;
    if (/socket hang up/.test(cur.message)) return true;
  }
  return false;
}
