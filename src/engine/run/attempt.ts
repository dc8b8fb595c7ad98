import { type ActionContext, ActionFailure, type ActionResult } from "../actions/types.js";
import { formatDuration, parseDuration } from "../duration.js";
import { RunbookError } from "../errors.js";
import type { RunEvent, StepRef } from "../events.js";
import { isUnreachable } from "../io/ssh/errors.js";
import type { Step } from "../load/model.js";
import { valueLocOf } from "../load/yaml.js";
import { issuesToErrors } from "../schema/zod-issues.js";
import { renderValue } from "../template.js";
import { conditionList, evaluateAll } from "./conditions.js";
import type { Result } from "./result.js";
import { Interrupted, sleep } from "./signals.js";

type Scope = Record<string, unknown>;

/** What an attempt needs from the run: its interrupt signal and its event sink. */
export interface AttemptEnv {
  /** A plan runs a probe once: a retry loop waits for the run (a cluster-less plan spent minutes retrying). */
  plan?: boolean;
  signal: AbortSignal;
  emit: (e: RunEvent) => void;
}

/** Run the action, retrying per until/retries/delay, judging with changed_when/failed_when. */
export async function runAttempts(
  env: AttemptEnv,
  step: Step,
  ref: StepRef,
  scope: Scope,
  args: unknown,
  ctx: ActionContext,
): Promise<Result> {
  const raw = step.raw;
  const retrying = raw.until !== undefined || raw.retries !== undefined;
  const retries = raw.retries !== undefined ? Number(renderValue(raw.retries, scope, valueLocOf(raw, "retries"))) : 3;
  if (!Number.isInteger(retries) || retries < 0)
    throw new RunbookError("schema", `retries: must be a whole number, got ${JSON.stringify(raw.retries)}`, {
      location: valueLocOf(raw, "retries"),
    });
  const delayMs =
    raw.delay !== undefined
      ? parseDuration(renderValue(raw.delay, scope, valueLocOf(raw, "delay")) as string | number)
      : 5000;
  let attempt = 0;
  for (;;) {
    attempt++;
    let result = await execute(env, step, args, ctx);
    result = judge(step, scope, result);
    if (!retrying) return result;
    result.attempts = attempt;
    let done = !result.failed;
    if (raw.until !== undefined) {
      const c = evaluateAll(raw.until, resultScope(step, scope, result), valueLocOf(raw, "until"));
      done = "value" in c && c.value;
    }
    if (done) return result;
    if (env.plan) {
      result.failed = false;
      result.retry_pending = `${raw.until !== undefined ? `until ${conditionList(raw.until).join(" && ")} does not hold yet` : "the probe failed"}: the run retries it up to ${retries} times, every ${delayMs / 1000}s`;
      return result;
    }
    if (attempt > retries) {
      if (raw.until !== undefined) {
        result.failed = true;
        result.msg = `gave up after ${attempt} attempts: until never held (${conditionList(raw.until).join(" && ")})${result.msg ? `; last: ${result.msg}` : ""}`;
      }
      return result;
    }
    env.emit({
      kind: "retry",
      step: ref,
      attempt,
      retries,
      delayMs,
      msg: result.msg || (raw.until !== undefined ? "until not met" : "failed"),
    });
    await sleep(delayMs, env.signal);
    if (env.signal.aborted) throw new Interrupted(ref);
  }
}

function resultScope(step: Step, scope: Scope, result: Result): Scope {
  const out: Scope = { ...scope, result };
  if (typeof step.raw.register === "string") out[step.raw.register] = result;
  return out;
}

function judge(step: Step, scope: Scope, result: Result): Result {
  const raw = step.raw;
  if (raw.changed_when === undefined && raw.failed_when === undefined) return result;
  const rs = resultScope(step, scope, result);
  if (raw.changed_when !== undefined) {
    const c = evaluateAll(raw.changed_when, rs, valueLocOf(raw, "changed_when"));
    if ("value" in c) result.changed = c.value;
  }
  if (raw.failed_when !== undefined) {
    const c = evaluateAll(raw.failed_when, rs, valueLocOf(raw, "failed_when"));
    if ("value" in c) {
      result.failed = c.value;
      if (c.value && !result.msg) result.msg = `failed_when held: ${conditionList(raw.failed_when).join(" && ")}`;
      if (!c.value) result.msg = result.msg?.startsWith("non-zero return code") ? "" : result.msg;
    }
  }
  return result;
}

/** One call of the action, with its timeout; every failure becomes a failed result. */
async function execute(env: AttemptEnv, step: Step, args: unknown, ctx: ActionContext): Promise<Result> {
  const action = step.action!;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  env.signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer =
    ctx.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, ctx.timeoutMs)
      : undefined;
  // Nothing has happened yet: an interrupt here stops the step before it starts.
  if (env.signal.aborted) throw new Interrupted(ctx.step);
  const t0 = performance.now();
  let res: ActionResult;
  try {
    res = await action.run(parseArgs(step, args), { ...ctx, signal: controller.signal });
  } catch (e) {
    // A failure keeps what the action says it changed before failing (k8s: the objects applied so far).
    if (e instanceof ActionFailure)
      res = { ...e.result, changed: e.result.changed === true, failed: true, msg: e.message };
    else if (e instanceof RunbookError) res = { changed: false, failed: true, msg: e.message, error: e };
    else if (e instanceof Interrupted) throw e;
    // Not the step's failure: the host is gone, and the fleet counts it apart (exit 4).
    else if (isUnreachable(e)) throw e;
    else res = { changed: false, failed: true, msg: (e as Error).message ?? String(e) };
  } finally {
    if (timer) clearTimeout(timer);
    env.signal.removeEventListener("abort", onAbort);
  }
  // An action cut short by the interrupt stops the run here. One that completed anyway (a file written and
  // renamed into place) is reported as what it did; the run stops before the next step.
  if (env.signal.aborted && (res.failed || res.interrupted === true)) throw new Interrupted(ctx.step);
  const result: Result = {
    ...res,
    changed: res.changed,
    failed: res.failed ?? false,
    skipped: false,
    msg: res.msg ?? "",
    duration_ms: Math.round(performance.now() - t0),
  };
  if (timedOut) {
    result.failed = true;
    result.msg = `timed out after ${formatDuration(ctx.timeoutMs!)}; the process tree was killed`;
  }
  return result;
}

export function parseArgs(step: Step, args: unknown): unknown {
  const action = step.action!;
  const p = action.schema.safeParse(args);
  if (p.success) return p.data;
  const errs = issuesToErrors(
    p.error,
    action.schema,
    args,
    step.actionKey,
    valueLocOf(step.raw, step.actionKey),
    false,
  );
  throw errs[0] ?? new RunbookError("schema", `invalid arguments for ${step.actionKey}`, { location: step.location });
}
