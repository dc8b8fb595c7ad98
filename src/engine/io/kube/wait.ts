import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../../duration.js";
import { describe, type KubeClient, type Obj, type ObjectRef, type ResourceInfo } from "./client.js";
import { KubeError } from "./errors.js";
import { pool } from "./order.js";
import { lastConditionMessage, readiness, type WaitCondition } from "./readiness.js";

export interface WaitItem {
  ref: ObjectRef;
  info: ResourceInfo;
}

export interface WaitOptions {
  timeoutMs: number;
  /** For kinds without a built-in rule. */
  condition?: WaitCondition | undefined;
  /** Wait until the objects no longer exist (after a delete). */
  gone?: boolean | undefined;
  signal?: AbortSignal | undefined;
  progress?: ((message: string, current: number, total: number) => void) | undefined;
}

interface Pending extends WaitItem {
  detail: string;
  last?: string | undefined;
}

// Polling starts fast (a rollout that is already done costs one round) and backs off to once a second.
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;
// GETs in flight while polling: the connection pool's size, so polls reuse kept-alive connections.
const CONCURRENCY = 8;

/** Poll until every object is ready (or gone); a timeout names what was not and its last condition. */
export async function waitFor(client: KubeClient, items: WaitItem[], opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let pending: Pending[] = items.map((i) => ({ ...i, detail: "not checked yet" }));
  let interval = FIRST_POLL_MS;
  const total = items.length;
  while (pending.length > 0) {
    const checked = await pool(pending, CONCURRENCY, (p) => check(client, p, opts));
    pending = checked.filter((p): p is Pending => p !== undefined);
    if (pending.length === 0) break;
    const head = pending[0]!;
    const what = opts.gone ? "deletion of" : "";
    opts.progress?.(
      `waiting for ${what ? `${what} ` : ""}${describe(head.ref)} (${head.detail})${pending.length > 1 ? ` and ${pending.length - 1} more` : ""}`,
      total - pending.length,
      total,
    );
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError(pending, opts);
    await sleep(Math.min(interval, left), undefined, { signal: opts.signal });
    interval = Math.min(interval * 1.5, MAX_POLL_MS);
  }
}

async function check(client: KubeClient, p: Pending, opts: WaitOptions): Promise<Pending | undefined> {
  const obj: Obj | undefined = await client.get(p.ref, p.info);
  if (opts.gone) return obj ? { ...p, detail: "still terminating", last: lastConditionMessage(obj) } : undefined;
  if (!obj) return { ...p, detail: "not found" };
  const r = readiness(obj, opts.condition);
  if (r.failed) throw new KubeError("failed", `${describe(p.ref)}: ${r.detail}`);
  return r.ready ? undefined : { ...p, detail: r.detail, last: lastConditionMessage(obj) };
}

function timeoutError(pending: Pending[], opts: WaitOptions): KubeError {
  const lines = pending.map((p) => `${describe(p.ref)} (${p.detail}${p.last ? `; last condition ${p.last}` : ""})`);
  const goal = opts.gone ? "to be deleted" : "to be ready";
  return new KubeError(
    "timeout",
    `timed out after ${formatDuration(opts.timeoutMs)} waiting for ${lines.length === 1 ? "" : `${lines.length} `}objects ${goal}: ${lines.join(", ")}`,
  );
}
