/** Retry policy and user-facing wording for HTTP failures, kept apart from the undici plumbing. */

export interface RetryPolicy {
  /** Extra attempts after the first one. */
  retries: number;
  /** First backoff delay; doubles each time, capped at 30 s. */
  retryDelayMs: number;
  signal?: AbortSignal | undefined;
}

/** One failed attempt: what went wrong, and whether trying again could help. */
export class AttemptError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AttemptError";
    this.retryable = retryable;
  }
}

/** The URL as shown in messages: credentials in it are never printed. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "***";
      u.password = "";
    }
    return u.toString();
  } catch {
    return url;
  }
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** Only 5xx is worth retrying: a 4xx means the request itself is wrong (or the file is gone). */
export function statusError(status: number, statusText: string): AttemptError {
  return new AttemptError(`HTTP ${status}${statusText ? ` ${statusText}` : ""}`, status >= 500);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, a non-retryable error occurs, or the retries are used up.
 * Returns the value and how many attempts it took; throws the last AttemptError, its message
 * prefixed with the attempt count when there was more than one.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (e) {
      const err =
        e instanceof AttemptError ? e : new AttemptError(String((e as Error)?.message ?? e), false, { cause: e });
      if (!err.retryable || n > policy.retries || policy.signal?.aborted) {
        if (n > 1) err.message = `${err.message} (after ${n} attempts)`;
        throw err;
      }
      await sleep(Math.min(policy.retryDelayMs * 2 ** (n - 1), 30_000), policy.signal);
    }
  }
}
