import { Socket } from "node:net";

/** What one probe saw: `ok` when the condition the caller asked about was observed. */
export interface ProbeOutcome {
  ok: boolean;
  /** For a failed probe, why (e.g. "connect ECONNREFUSED", "status 503"). */
  detail?: string | undefined;
  /** The HTTP status, when a response came back. */
  status?: number | undefined;
}

/**
 * Network checks made from the target's point of view: wait_for probes through this, so an
 * SSH transport can run them on the remote host. Local today.
 */
export interface ProbeAdapter {
  /** Tries one TCP connection; ok when it was accepted within timeoutMs. */
  tcp(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
  /** One HTTP GET; ok when the response status is one of `statuses`. */
  http(url: string, statuses: number[], timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
}

function tcp(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (outcome: ProbeOutcome) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () => done({ ok: false, detail: "interrupted" });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `no answer within ${timeoutMs}ms` }));
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (e: NodeJS.ErrnoException) => done({ ok: false, detail: `connect ${e.code ?? e.message}` }));
    socket.connect(port, host);
  });
}

async function http(url: string, statuses: number[], timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      redirect: "follow",
    });
    // Discard the body so the connection is released; only the status matters.
    await res.body?.cancel();
    return statuses.includes(res.status)
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, detail: `status ${res.status}` };
  } catch (e) {
    if ((e as Error).name === "TimeoutError") return { ok: false, detail: `no answer within ${timeoutMs}ms` };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: cause?.code ?? cause?.message ?? (e as Error).message };
  }
}

export const localProbe: ProbeAdapter = { tcp, http };
