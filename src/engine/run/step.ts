import { resolve } from "node:path";
import { type ActionContext, ActionFailure, type ActionResult, type PlanInfo } from "../actions/types.js";
import { formatDuration, parseDuration } from "../duration.js";
import { RunbookError } from "../errors.js";
import type { StepRef } from "../events.js";
import { evaluateCondition } from "../expr.js";
import type { ExecAdapter } from "../io/exec.js";
import type { FsAdapter } from "../io/fs.js";
import { readVarsFile } from "../load/files.js";
import type { Step } from "../load/model.js";
import { valueLocOf } from "../load/yaml.js";
import { issuesToErrors } from "../schema/zod-issues.js";
import type { SourceLocation } from "../source.js";
import { renderString, renderValue } from "../template.js";
import { containsUnknown, type UnknownInfo } from "../unknown.js";
import { resolveTemplateFile } from "./context.js";
import { emptyLoopReason, type LoopControl, loopItems, loopVarsFor, nameWithLoopPlaceholders } from "./loop.js";
import { renderVarsInOrder } from "./render-vars.js";
import { loopResult, type Result, skippedResult, statusOf } from "./result.js";
import type { Runner } from "./runner.js";
import { stringMap } from "./runner.js";
import { buildScope, type Frame } from "./scope.js";
import { Interrupted, StepFailed, sleep } from "./signals.js";

interface Adapters {
  exec: ExecAdapter;
  fs: FsAdapter;
  cacheDir: string;
}

/** The outcome of one execution: a result, or (in a plan) "known at run time". */
type Outcome =
  | { result: Result; unknown?: undefined }
  | { result?: undefined; unknown: UnknownInfo | true; planned?: PlanInfo | undefined };

type Scope = Record<string, unknown>;

function truthy(v: unknown): boolean {
  return v === true || v === "true";
}

function conditionList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

// The argument that says most about a step, for a default name: `file: out`, `template: cfg.yaml.hbs`.
const NAME_KEYS = ["cmd", "argv", "msg", "var", "src", "path", "dest", "url", "file", "kind", "that"];

function shortArgs(v: unknown): string {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const key = NAME_KEYS.find((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (key) return shortArgs((v as Record<string, unknown>)[key]);
  }
  if (Array.isArray(v)) return shortArgs(v.map(String).join(" "));
  const s = typeof v === "string" ? v : JSON.stringify(v);
  const line = (s ?? "").split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

function itemLabel(item: unknown): string {
  const s = typeof item === "string" ? item : (JSON.stringify(item) ?? String(item));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** What a step that ran during a plan said: a print's message, an assert's verdict, a probe's outcome. */
function probeSummary(step: Step, result: Result): string {
  if (result.failed) return `failed: ${result.msg}`;
  if (step.action?.readOnly) return result.msg || "ok";
  const rc = Number(result.rc ?? 0);
  // 127 is the shell's "command not found": e.g. istioctl, which the run installs first.
  return `ran (read-only probe): rc ${rc}${rc === 127 ? " (command not found)" : ""}`;
}

/** Runs one action step: loop, when, arguments, retries, changed_when/failed_when, register, notify. */
export class StepRunner {
  constructor(
    private readonly r: Runner,
    private readonly io: Adapters,
  ) {}

  private get inPlan(): boolean {
    return this.r.mode !== "run";
  }

  /** Evaluate a list of conditions (all must hold). */
  private conditions(
    value: unknown,
    scope: Scope,
    loc: SourceLocation | undefined,
  ): { value: boolean; expr?: string } | { waitsFor: UnknownInfo } {
    for (const [i, expr] of conditionList(value).entries()) {
      const c = evaluateCondition(expr, scope, Array.isArray(value) ? (valueLocOf(value, i) ?? loc) : loc);
      if (!c.known) return { waitsFor: c.waitsFor };
      if (!c.value) return { value: false, expr: String(expr) };
    }
    return { value: true };
  }

  async run(step: Step, frame: Frame): Promise<void> {
    const raw = step.raw;
    const r = this.r;
    const isHandler = frame.chain.some((c) => c.kind === "handler");
    const tags = r.tagsOf(step, frame);
    const base = buildScope(r.globals, frame);
    const stepVars = raw.vars ? (renderValue(raw.vars, base, valueLocOf(raw, "vars")) as Scope) : undefined;
    const scope = stepVars ? buildScope(r.globals, frame, stepVars) : base;
    const hidden = truthy(raw.no_log) || frame.inherited.noLog === true;
    // An unnamed no_log step is not named after its arguments: they are what no_log hides.
    let name =
      typeof raw.name === "string"
        ? raw.name
        : hidden
          ? `${step.actionKey} (no_log)`
          : `${step.actionKey}: ${shortArgs(step.args)}`;
    // In a plan, a looped step is shown per item with its name rendered for that item; where no item
    // applies, its loop variables read as placeholders (`Wait for <item>`).
    let planName: string | undefined;
    try {
      if (typeof raw.name === "string") name = renderString(raw.name, scope, valueLocOf(raw, "name"));
    } catch (e) {
      // A looped step's name may use its loop variables, which exist only per item: keep the name as written.
      const lc = (raw.loop_control ?? {}) as LoopControl;
      const loopNames = [lc.loop_var ?? "item", lc.index_var].filter(Boolean).join("|");
      const looped = raw.loop !== undefined || raw.with_items !== undefined;
      const aboutLoopVar = e instanceof RunbookError && new RegExp(`variable \`(${loopNames})\``).test(e.message);
      if (r.mode === "check" && !(looped && aboutLoopVar)) throw e;
      if (looped && aboutLoopVar && typeof raw.name === "string") {
        const written = raw.name;
        planName = nameWithLoopPlaceholders(written, lc, (extra) =>
          renderString(written, { ...scope, ...extra }, valueLocOf(raw, "name")),
        );
      }
    }
    const noLog = hidden;
    const ref = r.ref(step, frame, name, noLog);
    const planRef = planName !== undefined ? { ...ref, name: planName } : ref;
    if (!isHandler) {
      const filtered = r.selected(tags);
      if (filtered) {
        if (this.inPlan) r.plan({ step: planRef, decision: "skip", reason: filtered, tags });
        return;
      }
    }
    if (r.beforeStart(raw.name, name)) {
      if (this.inPlan) r.plan({ step: planRef, decision: "skip", reason: "before --start-at-task", tags });
      return;
    }
    if (r.mode === "check" && raw.notify !== undefined) r.checkNotify(step);
    r.current = ref;
    const t0 = performance.now();
    const loopRaw = raw.loop ?? raw.with_items;
    let outcome: Outcome;
    if (loopRaw !== undefined) {
      outcome = await this.loop(step, frame, ref, planRef, scope, stepVars, tags);
    } else {
      r.emit({ kind: "step-start", step: ref });
      outcome = await this.once(step, frame, ref, stepVars, undefined, tags, undefined);
    }
    const durationMs = Math.round(performance.now() - t0);
    if (outcome.unknown !== undefined) {
      r.register(step, frame, undefined, ref);
      // A dry run reports what the step would do: "changed" when the plan says it would change something.
      const info = outcome.planned;
      const status = info?.willChange ? "changed" : "ok";
      const msg = info
        ? info.summary
        : outcome.unknown === true
          ? "decided at run time"
          : `decided at run time (waits for ${outcome.unknown.path})`;
      const planned: Record<string, unknown> = {
        changed: info?.willChange === true,
        failed: false,
        skipped: false,
        msg,
        dry_run: true,
      };
      if (info?.diff) planned.diff = info.diff;
      if (info?.command) planned.cmd = info.command;
      if (r.mode !== "check") r.stats[status]++;
      r.emit({ kind: "step-end", step: ref, status, result: r.redacted(planned, noLog), durationMs });
      return;
    }
    const result = outcome.result;
    result.duration_ms = Math.round(durationMs);
    r.register(step, frame, result, ref);
    const ignored =
      result.failed &&
      (raw.ignore_errors !== undefined
        ? truthy(renderValue(raw.ignore_errors, scope, valueLocOf(raw, "ignore_errors")))
        : frame.inherited.ignoreErrors === true);
    const status = statusOf(result, ignored);
    r.stats[status]++;
    r.emit({
      kind: "step-end",
      step: ref,
      status,
      result: r.redacted(result, noLog),
      durationMs,
      reason: result.skipped ? String(result.skip_reason ?? "") : undefined,
    });
    if (result.changed && raw.notify !== undefined) {
      for (const h of r.notify([raw.notify].flat().map(String)))
        r.emit({ kind: "handler-notified", step: ref, handler: h });
    }
    if (result.failed && !ignored) throw new StepFailed(ref, result);
  }

  private async loop(
    step: Step,
    frame: Frame,
    ref: StepRef,
    planRef: StepRef,
    scope: Scope,
    stepVars: Scope | undefined,
    tags: string[],
  ): Promise<Outcome> {
    const raw = step.raw;
    const r = this.r;
    const got = loopItems(raw, scope);
    if (!Array.isArray(got)) {
      r.plan({
        step: planRef,
        decision: "runtime",
        reason: `loop items are known at run time (${got.unknown.path})`,
        waitsFor: got.unknown,
        tags,
      });
      return { unknown: got.unknown };
    }
    const items = got;
    // Without items the step does nothing; a plan still lists it, and says why.
    if (items.length === 0 && this.inPlan)
      r.plan({ step: planRef, decision: "skip", reason: emptyLoopReason(raw), tags });
    const lc = (raw.loop_control ?? {}) as LoopControl;
    const pauseMs = lc.pause !== undefined ? parseDuration(lc.pause) : 0;
    r.emit({ kind: "step-start", step: ref });
    const results: Result[] = [];
    const t0 = performance.now();
    let anyUnknown = false;
    for (const [index, item] of (items as unknown[]).entries()) {
      const loopVars = loopVarsFor(lc, item, index);
      const itemScope = buildScope(r.globals, frame, stepVars, loopVars);
      let label = itemLabel(item);
      if (lc.label !== undefined) label = String(renderValue(lc.label, itemScope, valueLocOf(lc, "label")));
      if (ref.noLog) label = `item ${index} (no_log)`;
      r.emit({ kind: "item-start", step: ref, index, label });
      const ti = performance.now();
      let itemName = ref.name;
      if (this.inPlan && typeof raw.name === "string") {
        try {
          itemName = renderString(raw.name, itemScope, valueLocOf(raw, "name"));
        } catch {}
      }
      const itemRef = itemName === ref.name ? ref : { ...ref, name: itemName };
      const out = await this.once(step, frame, ref, stepVars, loopVars, tags, { index, label }, itemRef);
      if (out.unknown !== undefined) {
        anyUnknown = true;
        continue;
      }
      const res = out.result;
      res.item = item;
      if (lc.index_var) res[lc.index_var] = index;
      const noLog = truthy(raw.no_log) || frame.inherited.noLog === true;
      r.emit({
        kind: "item-end",
        step: ref,
        index,
        label,
        status: statusOf(res, false),
        result: r.redacted(res, noLog),
        durationMs: Math.round(performance.now() - ti),
        reason: res.skipped ? String(res.skip_reason) : undefined,
      });
      results.push(res);
      if (pauseMs && index < (items as unknown[]).length - 1) await sleep(pauseMs, r.signal);
    }
    if (anyUnknown) return { unknown: true };
    return { result: loopResult(results, performance.now() - t0) };
  }

  /** One execution of the step (one loop item): when, creates/removes, arguments, then run or plan. */
  private async once(
    step: Step,
    frame: Frame,
    ref: StepRef,
    stepVars: Scope | undefined,
    loopVars: Scope | undefined,
    tags: string[],
    item: { index: number; label: string } | undefined,
    /** The step as the plan shows it (its name rendered for this item). */
    planRef: StepRef = ref,
  ): Promise<Outcome> {
    const raw = step.raw;
    const r = this.r;
    const scope = buildScope(r.globals, frame, stepVars, loopVars);
    const noLog = truthy(raw.no_log) || frame.inherited.noLog === true;
    const notifies = raw.notify === undefined ? undefined : [raw.notify].flat().map(String);
    if (raw.when !== undefined) {
      const c = this.conditions(raw.when, scope, valueLocOf(raw, "when"));
      if ("waitsFor" in c) {
        r.plan({
          step: planRef,
          item,
          decision: "runtime",
          reason: `when depends on ${c.waitsFor.path}${c.waitsFor.from ? ` from ${c.waitsFor.from}` : ""}`,
          waitsFor: c.waitsFor,
          info: r.mode === "check" ? undefined : await this.ifItRuns(step, frame, ref, scope, noLog),
          tags,
          notifies,
          noLog,
        });
        if (r.mode === "check") this.args(step, scope, true);
        return { unknown: c.waitsFor };
      }
      if (!c.value) {
        const reason = `when: ${c.expr}`;
        if (this.inPlan) r.plan({ step: planRef, item, decision: "skip", reason, tags });
        return { result: skippedResult(reason) };
      }
    }
    switch (step.kind) {
      case "set_vars":
        return this.setVars(step, frame, planRef, scope, item, tags);
      case "include_vars":
        return this.includeVars(step, frame, planRef, scope, item, tags);
      default:
        break;
    }
    const creates =
      typeof raw.creates === "string" ? String(renderValue(raw.creates, scope, valueLocOf(raw, "creates"))) : undefined;
    const removes =
      typeof raw.removes === "string" ? String(renderValue(raw.removes, scope, valueLocOf(raw, "removes"))) : undefined;
    const args = this.args(step, scope, r.mode === "check");
    const probe = step.action?.readOnly === true || raw.check_mode === false || frame.inherited.checkMode === false;
    const ctx = this.context(step, frame, ref, scope, noLog);
    const skipBy = await this.createsRemoves(ctx, creates, removes);
    if (r.mode === "check") {
      r.plan({ step: planRef, item, decision: skipBy ? "skip" : "run", reason: skipBy, tags, notifies, noLog });
      return { unknown: true };
    }
    if (skipBy) {
      if (this.inPlan) r.plan({ step: planRef, item, decision: "skip", reason: skipBy, tags });
      return {
        result: {
          changed: false,
          failed: false,
          skipped: false,
          msg: skipBy,
          rc: 0,
          stdout: "",
          stderr: "",
          stdout_lines: [],
          stderr_lines: [],
        },
      };
    }
    const u = containsUnknown(args);
    if (this.inPlan && !probe) {
      const shown = noLog ? "<redacted: no_log>" : args;
      if (u) {
        r.plan({
          step: planRef,
          item,
          decision: "run",
          reason: `arguments known at run time (${u.path})`,
          waitsFor: u,
          args: shown,
          tags,
          notifies,
          noLog,
        });
        if (notifies) r.notify(notifies);
        return { unknown: u };
      }
      const parsed = this.parse(step, args);
      const info: PlanInfo = await step.action!.plan(parsed, ctx).catch((e: unknown): PlanInfo => {
        // e.g. a copy whose src an earlier step downloads: the preview waits for the run.
        if (e instanceof ActionFailure || e instanceof RunbookError)
          return { summary: `cannot preview before the run: ${e.message}`, willChange: undefined };
        throw e;
      });
      const retry = this.retryNote(step, scope);
      if (retry) info.details = [...(info.details ?? []), retry];
      if (ctx.become) info.details = [...(info.details ?? []), `as ${ctx.becomeUser ?? "root"} (become: sudo -n)`];
      r.plan({
        step: planRef,
        item,
        decision: info.skipReason ? "skip" : "run",
        reason: info.skipReason,
        args: shown,
        // The action hides what no_log covers in its summary and command; diffs and structured data
        // (a Secret's fields in a k8s diff) are left out here, whatever the action.
        info: noLog ? { ...info, diff: info.diff ? "<redacted: no_log>" : undefined, data: undefined } : info,
        tags,
        notifies,
        noLog,
      });
      if (notifies && info.willChange !== false) r.notify(notifies);
      return { unknown: true, planned: info };
    }
    if (u) return { unknown: u };
    const result = await this.attempts(step, ref, scope, args, ctx);
    // An assert on a value only the run produces decides nothing now: it is "decided at run time".
    const pending = result.pending as UnknownInfo | undefined;
    if (this.inPlan && pending) {
      r.plan({
        step: planRef,
        item,
        decision: "runtime",
        reason: `${step.action?.name === "assert" ? "the assertion" : "the result"} depends on ${pending.path}${pending.from ? ` from ${pending.from}` : ""}`,
        waitsFor: pending,
        args: noLog ? "<redacted: no_log>" : args,
        tags,
        noLog,
      });
      return { unknown: pending };
    }
    if (this.inPlan)
      r.plan({
        step: planRef,
        item,
        decision: "run",
        probe: true,
        args: noLog ? "<redacted: no_log>" : args,
        info: {
          summary: probeSummary(step, result),
          command: await this.commandOf(step, args, ctx),
          willChange: false,
        },
        tags,
        noLog,
      });
    return { result };
  }

  /** For the plan: how a step with `until`/`retries` repeats. */
  private retryNote(step: Step, scope: Scope): string | undefined {
    const raw = step.raw;
    if (raw.until === undefined && raw.retries === undefined) return undefined;
    try {
      const retries = raw.retries !== undefined ? Number(renderValue(raw.retries, scope)) : 3;
      const delay = raw.delay !== undefined ? String(renderValue(raw.delay, scope)) : "5s";
      const every = `up to ${retries} retries, ${/^\d+$/.test(delay) ? `${delay}s` : delay} apart`;
      return raw.until !== undefined
        ? `repeats until ${conditionList(raw.until).join(" && ")} (${every})`
        : `retried on failure (${every})`;
    } catch {
      return undefined;
    }
  }

  /** The command line a probe ran (shell/command), as its plan shows it; no_log is the action's to hide. */
  private async commandOf(step: Step, args: unknown, ctx: ActionContext): Promise<string | undefined> {
    if (step.action?.name !== "command" && step.action?.name !== "shell") return undefined;
    try {
      return (await step.action.plan(this.parse(step, args), ctx)).command;
    } catch {
      return undefined;
    }
  }

  /**
   * For a step whose `when` only the run decides: what it would do if it runs (the command line, the
   * file it writes), so that a plan shows it. Nothing when its arguments wait for the run too.
   */
  private async ifItRuns(
    step: Step,
    frame: Frame,
    ref: StepRef,
    scope: Scope,
    noLog: boolean,
  ): Promise<PlanInfo | undefined> {
    if (!step.action || step.kind !== "action" || step.action.readOnly) return undefined;
    try {
      const args = this.args(step, scope, false);
      if (containsUnknown(args)) return undefined;
      const info = await step.action.plan(this.parse(step, args), this.context(step, frame, ref, scope, noLog));
      const shown = noLog ? { ...info, diff: info.diff ? "<redacted: no_log>" : undefined, data: undefined } : info;
      // Whether it changes anything is the run's to say.
      return { ...shown, willChange: undefined, skipReason: undefined };
    } catch {
      return undefined;
    }
  }

  /** Render the action's arguments (fields holding expressions stay raw), validating when complete. */
  private args(step: Step, scope: Scope, check: boolean): unknown {
    const raw = step.args;
    const rawFields = step.action?.rawFields;
    let args: unknown;
    if (rawFields && raw && typeof raw === "object" && !Array.isArray(raw)) {
      const out: Scope = {};
      for (const [k, v] of Object.entries(raw))
        out[k] = rawFields.includes(k) ? v : renderValue(v, scope, valueLocOf(raw, k));
      args = out;
    } else {
      args = renderValue(raw, scope, valueLocOf(step.raw, step.actionKey));
    }
    if (check && step.action && !containsUnknown(args)) this.parse(step, args);
    return args;
  }

  private parse(step: Step, args: unknown): unknown {
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

  private async createsRemoves(
    ctx: ActionContext,
    creates: string | undefined,
    removes: string | undefined,
  ): Promise<string | undefined> {
    const abs = (p: string) => resolve(ctx.cwd ?? ctx.baseDir, p);
    if (creates !== undefined && !containsUnknown(creates) && (await ctx.fs.stat(abs(creates))))
      return `skipped: ${creates} exists (creates)`;
    if (removes !== undefined && !containsUnknown(removes) && !(await ctx.fs.stat(abs(removes))))
      return `skipped: ${removes} does not exist (removes)`;
    return undefined;
  }

  private context(step: Step, frame: Frame, ref: StepRef, scope: Scope, noLog: boolean): ActionContext {
    const raw = step.raw;
    const r = this.r;
    const env = raw.environment ?? raw.env;
    const inh = frame.inherited;
    const timeout =
      raw.timeout !== undefined
        ? parseDuration(renderValue(raw.timeout, scope, valueLocOf(raw, "timeout")) as string | number)
        : undefined;
    return {
      exec: this.io.exec,
      fs: this.io.fs,
      step: ref,
      baseDir: step.baseDir,
      playbookDir: r.playbook.dir,
      cwd:
        typeof raw.cwd === "string"
          ? resolve(step.baseDir, String(renderValue(raw.cwd, scope, valueLocOf(raw, "cwd"))))
          : inh.cwd,
      env: { ...inh.environment, ...(env !== undefined ? stringMap(renderValue(env, scope)) : {}) },
      become:
        raw.become !== undefined
          ? truthy(renderValue(raw.become, scope, valueLocOf(raw, "become")))
          : inh.become === true,
      becomeUser:
        typeof raw.become_user === "string"
          ? String(renderValue(raw.become_user, scope, valueLocOf(raw, "become_user")))
          : inh.becomeUser,
      timeoutMs: timeout,
      noLog,
      dryRun: r.mode !== "run",
      signal: r.signal,
      vars: scope,
      render: (text, extra, origin) =>
        renderString(
          text,
          extra ? { ...scope, ...extra } : scope,
          origin ? { file: origin, line: 1, col: 1 } : undefined,
        ),
      resolveTemplate: (src) => resolveTemplateFile(src, step.baseDir),
      output: (stream, chunk) => {
        if (!noLog) r.emit({ kind: "output", step: ref, stream, chunk });
      },
      progress: (message, current, total) => r.emit({ kind: "progress", step: ref, message, current, total }),
      cacheDir: this.io.cacheDir,
      processEnv: r.globals.env,
    };
  }

  /** Run the action, retrying per until/retries/delay, judging with changed_when/failed_when. */
  private async attempts(step: Step, ref: StepRef, scope: Scope, args: unknown, ctx: ActionContext): Promise<Result> {
    const raw = step.raw;
    const r = this.r;
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
      let result = await this.execute(step, args, ctx);
      result = this.judge(step, scope, result);
      if (!retrying) return result;
      result.attempts = attempt;
      let done = !result.failed;
      if (raw.until !== undefined) {
        const c = this.conditions(raw.until, this.resultScope(step, scope, result), valueLocOf(raw, "until"));
        done = "value" in c && c.value;
      }
      if (done) return result;
      if (attempt > retries) {
        if (raw.until !== undefined) {
          result.failed = true;
          result.msg = `gave up after ${attempt} attempts: until never held (${conditionList(raw.until).join(" && ")})${result.msg ? `; last: ${result.msg}` : ""}`;
        }
        return result;
      }
      r.emit({
        kind: "retry",
        step: ref,
        attempt,
        retries,
        delayMs,
        msg: result.msg || (raw.until !== undefined ? "until not met" : "failed"),
      });
      await sleep(delayMs, r.signal);
      if (r.signal.aborted) throw new Interrupted(ref);
    }
  }

  private resultScope(step: Step, scope: Scope, result: Result): Scope {
    const out: Scope = { ...scope, result };
    if (typeof step.raw.register === "string") out[step.raw.register] = result;
    return out;
  }

  private judge(step: Step, scope: Scope, result: Result): Result {
    const raw = step.raw;
    if (raw.changed_when === undefined && raw.failed_when === undefined) return result;
    const rs = this.resultScope(step, scope, result);
    if (raw.changed_when !== undefined) {
      const c = this.conditions(raw.changed_when, rs, valueLocOf(raw, "changed_when"));
      if ("value" in c) result.changed = c.value;
    }
    if (raw.failed_when !== undefined) {
      const c = this.conditions(raw.failed_when, rs, valueLocOf(raw, "failed_when"));
      if ("value" in c) {
        result.failed = c.value;
        if (c.value && !result.msg) result.msg = `failed_when held: ${conditionList(raw.failed_when).join(" && ")}`;
        if (!c.value) result.msg = result.msg?.startsWith("non-zero return code") ? "" : result.msg;
      }
    }
    return result;
  }

  /** One call of the action, with its timeout; every failure becomes a failed result. */
  private async execute(step: Step, args: unknown, ctx: ActionContext): Promise<Result> {
    const action = step.action!;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    this.r.signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer =
      ctx.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, ctx.timeoutMs)
        : undefined;
    const t0 = performance.now();
    let res: ActionResult;
    try {
      res = await action.run(this.parse(step, args), { ...ctx, signal: controller.signal });
    } catch (e) {
      if (e instanceof ActionFailure) res = { ...e.result, changed: false, failed: true, msg: e.message };
      else if (e instanceof RunbookError) res = { changed: false, failed: true, msg: e.message, error: e };
      else if (e instanceof Interrupted) throw e;
      else res = { changed: false, failed: true, msg: (e as Error).message ?? String(e) };
    } finally {
      if (timer) clearTimeout(timer);
      this.r.signal.removeEventListener("abort", onAbort);
    }
    if (this.r.signal.aborted) throw new Interrupted(ctx.step);
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

  private setVars(
    step: Step,
    frame: Frame,
    ref: StepRef,
    scope: Scope,
    item: { index: number; label: string } | undefined,
    tags: string[],
  ): Outcome {
    const values = renderValue(step.args, scope, valueLocOf(step.raw, step.actionKey)) as Scope;
    Object.assign(frame.runtime, values);
    if (this.inPlan)
      this.r.plan({
        step: ref,
        item,
        decision: "run",
        probe: true,
        args: values,
        info: { summary: `set ${Object.keys(values).join(", ")}`, willChange: false },
        tags,
      });
    return { result: { changed: false, failed: false, skipped: false, msg: "" } };
  }

  private includeVars(
    step: Step,
    frame: Frame,
    ref: StepRef,
    scope: Scope,
    item: { index: number; label: string } | undefined,
    tags: string[],
  ): Outcome {
    const spec = step.args as string | { file: string };
    const rendered = renderValue(
      typeof spec === "string" ? spec : spec.file,
      scope,
      valueLocOf(step.raw, step.actionKey),
    );
    const u = containsUnknown(rendered);
    if (u) {
      this.r.plan({
        step: ref,
        item,
        decision: "runtime",
        reason: `file known at run time (${u.path})`,
        waitsFor: u,
        tags,
      });
      return { unknown: u };
    }
    const path = resolve(step.baseDir, String(rendered));
    // Values are templates like playbook vars: rendered now, with the variables defined so far.
    const loaded = readVarsFile(path, valueLocOf(step.raw, step.actionKey));
    const vars = renderVarsInOrder(
      loaded,
      (done) => ({ ...scope, ...done, vars: { ...(scope.vars as Scope), ...done } }),
      () => false,
    );
    Object.assign(frame.runtime, vars);
    if (this.inPlan)
      this.r.plan({
        step: ref,
        item,
        decision: "run",
        probe: true,
        info: { summary: `load variables from ${path}`, willChange: false },
        tags,
      });
    return {
      result: {
        changed: false,
        failed: false,
        skipped: false,
        msg: `loaded ${Object.keys(vars).length} variables`,
        file: path,
      },
    };
  }
}
