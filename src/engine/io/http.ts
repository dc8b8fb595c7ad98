import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Dispatcher, EnvHttpProxyAgent, interceptors, request } from "undici";
import { fsReason, isLocalFsError } from "./fs-errors.js";
import { AttemptError, displayUrl, type RetryPolicy, seconds, statusError, withRetries } from "./http-get.js";

/** Options shared by every GET: the only module that imports undici. */
export interface HttpOptions {
  headers?: Record<string, string> | undefined;
  /** Whole-attempt deadline. Default 10 minutes. */
  timeoutMs?: number | undefined;
  /** Fail an attempt when no response headers or no body bytes arrive for this long. Default min(timeout, 30 s). */
  stallTimeoutMs?: number | undefined;
  /** Extra attempts after the first, on network errors, timeouts and 5xx (never on 4xx). Default 3. */
  retries?: number | undefined;
  /** First backoff delay, doubled each retry. Default 1 s. */
  retryDelayMs?: number | undefined;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read from (the target's environment). */
  env?: Record<string, string | undefined> | undefined;
  signal?: AbortSignal | undefined;
}

export interface StreamedFile {
  hex: string;
  size: number;
  attempts: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;

function proxyEnv(env: Record<string, string | undefined>, name: string): string {
  // An explicit "" stops undici from falling back to this process's own environment.
  return env[name] ?? env[name.toLowerCase()] ?? "";
}

function makeAgent(opts: HttpOptions): EnvHttpProxyAgent {
  const env = opts.env ?? {};
  return new EnvHttpProxyAgent({
    httpProxy: proxyEnv(env, "HTTP_PROXY"),
    httpsProxy: proxyEnv(env, "HTTPS_PROXY"),
    noProxy: proxyEnv(env, "NO_PROXY"),
  });
}

function policy(opts: HttpOptions): RetryPolicy {
  return { retries: opts.retries ?? 3, retryDelayMs: opts.retryDelayMs ?? 1000, signal: opts.signal };
}

type Consume<T> = (
  body: AsyncIterable<Buffer>,
  total: number | undefined,
  progress: { received: number },
) => Promise<T>;

/** One GET: status checked, timeouts enforced, every failure turned into an AttemptError. */
async function getOnce<T>(url: string, dispatcher: Dispatcher, opts: HttpOptions, consume: Consume<T>): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallMs = Math.min(opts.stallTimeoutMs ?? 30_000, timeoutMs);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error("deadline")), timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
  const progress = { received: 0 };
  let total: number | undefined;
  try {
    const res = await request(url, {
      dispatcher,
      method: "GET",
      headers: { "user-agent": "runbook", ...opts.headers },
      signal,
      headersTimeout: stallMs,
      bodyTimeout: stallMs,
    });
    if (res.statusCode >= 300) {
      await res.body.dump().catch(() => {});
      throw statusError(res.statusCode, res.statusText ?? "");
    }
    const length = Number(res.headers["content-length"]);
    total = Number.isFinite(length) && length >= 0 ? length : undefined;
    const value = await consume(res.body, total, progress);
    if (total !== undefined && progress.received < total) {
      throw new AttemptError(`truncated body: got ${progress.received} of ${total} bytes`, true);
    }
    return value;
  } catch (e) {
    if (e instanceof AttemptError) throw e;
    if (opts.signal?.aborted) throw new AttemptError("interrupted", false, { cause: e });
    if (deadline.signal.aborted) throw new AttemptError(`timed out after ${seconds(timeoutMs)}`, true, { cause: e });
    const code = (e as { code?: string }).code;
    if (code === "UND_ERR_HEADERS_TIMEOUT") {
      throw new AttemptError(`timed out after ${seconds(stallMs)} waiting for a response`, true, { cause: e });
    }
    if (code === "UND_ERR_BODY_TIMEOUT") {
      const got = total === undefined ? `${progress.received} bytes` : `${progress.received} of ${total} bytes`;
      throw new AttemptError(`timed out after ${seconds(stallMs)} with no data (stalled at ${got})`, true, {
        cause: e,
      });
    }
    // A local file-system error (disk full, quota, read-only) will not get better by retrying; checked
    // before "truncated", which is what a body cut short by a failed write also looks like.
    if (isLocalFsError(e) || code === "ENOENT") {
      const message = (e as Error).message;
      const what = message.startsWith("cannot ") ? message : (fsReason(e) ?? message);
      throw new AttemptError(`local error, not retried: ${what}`, false, { cause: e });
    }
    if (total !== undefined && progress.received < total) {
      throw new AttemptError(`truncated body: got ${progress.received} of ${total} bytes`, true, { cause: e });
    }
    throw new AttemptError((e as Error).message || String(e), code !== "UND_ERR_REDIRECT_MAX", { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** Run a GET with retries on a fresh proxy-aware agent that follows redirects; failures name the URL. */
async function getWithRetries<T>(url: string, opts: HttpOptions, consume: Consume<T>) {
  const agent = makeAgent(opts);
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
  try {
    return await withRetries(policy(opts), () => getOnce(url, dispatcher, opts, consume));
  } catch (e) {
    throw new Error(`GET ${displayUrl(url)}: ${(e as Error).message}`, { cause: e });
  } finally {
    await agent.close().catch(() => {});
  }
}

/** A small text resource (a checksum file), at most 1 MiB. */
export async function fetchText(url: string, opts: HttpOptions = {}): Promise<string> {
  const limit = 1024 * 1024;
  const { value } = await getWithRetries(url, opts, async (body, _total, progress) => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      progress.received += chunk.length;
      if (progress.received > limit) throw new AttemptError(`larger than ${limit} bytes`, false);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  });
  return value;
}

// "w" truncates whatever a failed earlier attempt left in the file.
const defaultSink = (tmp: string): Writable => createWriteStream(tmp, { flags: "w", mode: 0o600 });

export interface StreamToFileOptions extends HttpOptions {
  /** Where the body is written (a seam for tests: /dev/full gives a real ENOSPC). Default: a fresh file at tmp. */
  sink?: ((tmp: string) => Writable) | undefined;
  /** Called with bytes received so far, at most every `progressIntervalMs` (default 500). */
  onProgress?: ((received: number, total: number | undefined) => void) | undefined;
  progressIntervalMs?: number | undefined;
}

/**
 * Stream `url` into `tmp` (created fresh, mode 0600), hashing as it goes. The caller owns `tmp`:
 * it verifies, renames or removes it. Each retry starts the file over.
 */
export async function streamToFile(url: string, tmp: string, opts: StreamToFileOptions = {}): Promise<StreamedFile> {
  const interval = opts.progressIntervalMs ?? 500;
  const { value, attempts } = await getWithRetries(url, opts, async (body, total, progress) => {
    const hash = createHash("sha256");
    let last = Date.now();
    let reported = false;
    const sink = (opts.sink ?? defaultSink)(tmp);
    // Name the file a local write error happened on: "cannot write …: no space left on device (ENOSPC)".
    sink.on("error", (e: Error & { path?: string }) => {
      if (isLocalFsError(e)) e.message = `cannot write ${tmp}: ${fsReason(e)}`;
    });
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          progress.received += chunk.length;
          const now = Date.now();
          if (opts.onProgress && now - last >= interval) {
            last = now;
            reported = true;
            opts.onProgress(progress.received, total);
          }
          yield chunk;
        }
      },
      sink,
    );
    if (reported) opts.onProgress?.(progress.received, total);
    return { hex: hash.digest("hex"), size: progress.received };
  });
  return { ...value, attempts };
}
