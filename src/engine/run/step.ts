import { resolve } from "node:path";
import { type ActionContext, ActionFailure, type PlanInfo } from "../actions/types.js";
import { parseDuration } from "../duration.js";
import { RunbookError } from "../errors.js";
import type { StepRef } from "../events.js";
import { localExec } from "../io/exec.js";
import { localFs } from "../io/fs.js";
import { localProbe } from "../io/probe.js";
import { readVarsFile } from "../load/files.js";
import type { Step } from "../load/model.js";
import { valueLocOf } from "../load/yaml.js";
import { formatLocation } from "../source.js";
import { renderString, renderValue } from "../template.js";
import { containsUnknown, makeUnknown, markerInside, type UnknownInfo } from "../unknown.js";
import { parseArgs, runAttempts } from "./attempt.js";
import { conditionList, evaluateAll } from "./conditions.js";
import { type Adapters, actionContext } from "./context.js";
import { emptyLoopReason, isLooped, type LoopControl, loopItems, loopVarsFor, renderLoopName } from "./loop.js";
import { itemLabel, probeSummary, shortArgs } from "./naming.js";
import { learnNoLogInputs } from "./no-log-secrets.js";
import { renderVarsInOrder } from "./render-vars.js";
import { loopResult, type Result, skippedResult, statusOf } from "./result.js";
import type { Runner } from "./runner.js";
import { buildScope, type Frame } from "./scope.js";
import { compileSettings, mergeSettings, type Settings } from "./settings.js";
import { StepFailed, sleep } from "./signals.js";

/** The outcome of one execution: a result, or (in a plan) "known at run time". */
type Outcome =
  | { result: Result; unknown?: undefined }
  | { result?: undefined; unknown: UnknownInfo | true; planned?: PlanInfo | undefined };

type Scope = Record<string, unknown>;

/** Runs one action step: loop, when, arguments, retries, changed_when/failed_when, register, notify. */
export class StepRunner {
  constructor(
    private readonly r: Runner,
    private readonly io: Adapters,
  ) {}

  /** `delegate_to: localhost` acts on the controller, with the host's variables (as Ansible). */
  private ioFor(step: Step): Adapters {
    return delegatedLocally(step) ? { ...LOCAL_ADAPTERS, cacheDir: this.io.cacheDir } : this.io;
  }

  private get inPlan(): boolean {
    return this.r.mode !== "run";
  }

  /** Whether the current step's step-start event is out (a run-time error may come before or after it). */
  private started = false;

  private start(ref: StepRef): void {
    if (this.started) return;
    this.started = true;
    this.r.emit({ kind: "step-start", step: ref });
  }

  /** The step's own `vars`, rendered with the loop variables of one item (or their placeholders). */
  private stepVars(step: Step, frame: Frame, loopVars: Scope | undefined): Scope | undefined {
    const raw = step.raw;
    if (!raw.vars) return undefined;
    this.r.secrets.addVars(raw.vars as Scope);
    return renderValue(
      raw.vars,
      buildScope(this.r.globals, frame, undefined, loopVars),
      valueLocOf(raw, "vars"),
    ) as Scope;
  }

  async run(step: Step, frame: Frame): Promise<void> {
    const raw = step.raw;
    const r = this.r;
    const isHandler = frame.chain.some((c) => c.kind === "handler");
    const tags = r.tagsOf(step, frame);
    const base = buildScope(r.globals, frame);
    // Step vars and settings may read the loop variables: here they are bound to placeholders, and each
    // item resolves them again with its own values. An error is the step's failure, met once it runs.
    let stepVars: Scope | undefined;
    let settings: Settings = frame.inherited;
    let deferred: unknown;
    try {
      stepVars = this.stepVars(step, frame, isLooped(raw) ? placeholders(raw) : undefined);
      const scope0 = stepVars ? buildScope(r.globals, frame, stepVars) : base;
      settings = mergeSettings(frame.inherited, compileSettings(raw, scope0, step.baseDir));
    } catch (e) {
      if (r.mode === "check" || !(e instanceof RunbookError)) throw e;
      deferred = e;
    }
    const scope = stepVars ? buildScope(r.globals, frame, stepVars) : base;
    // A no_log only the run can decide hides until then.
    const noLog = settings.noLog === true || (raw.no_log !== undefined && settings.noLog === undefined);
    // An unnamed no_log step is not named after its arguments: they are what no_log hides.
    let name =
      typeof raw.name === "string"
        ? raw.name
        : noLog
          ? `${step.actionKey} (no_log)`
          : `${step.actionKey}: ${shortArgs(step.args)}`;
    // A looped step's name may read its loop variables, which exist only per item: the step itself is
    // named with placeholders (`Wait for <item>`), each item row with its own value.
    if (typeof raw.name === "string") {
      const written = raw.name;
      const at = valueLocOf(raw, "name");
      try {
        if (isLooped(raw)) {
          const n = renderLoopName((raw.loop_control ?? {}) as LoopControl, (extra) =>
            renderString(written, { ...scope, ...extra }, at),
          );
          name = n.text;
        } else {
          name = renderString(written, scope, at);
        }
      } catch (e) {
        // A name that cannot be rendered is an input error for the check pass; a running step keeps it as written.
        if (r.mode === "check") throw e;
      }
    }
    const ref = r.ref(step, frame, name, noLog);
    if (!isHandler) {
      const filtered = r.selected(tags);
      if (filtered) {
        if (this.inPlan) r.plan({ step: ref, decision: "skip", reason: filtered, tags });
        return;
      }
    }
    if (r.beforeStart(raw.name, name)) {
      if (this.inPlan) r.plan({ step: ref, decision: "skip", reason: "before --start-at-task", tags });
      return;
    }
    if (r.mode === "check" && raw.notify !== undefined) r.checkNotify(step);
    r.current = ref;
    const t0 = performance.now();
    this.started = false;
    let outcome: Outcome;
    try {
      if (deferred) throw deferred;
      const compute = async (): Promise<Outcome> => {
        if (isLooped(raw)) return this.loop(step, frame, ref, scope, settings, tags);
        this.start(ref);
        return this.once(step, frame, ref, stepVars, undefined, settings, tags, undefined);
      };
      // run_once: the first host to reach the step runs it; the others take its result (run mode only).
      const once = r.options.runOnce;
      if (once && r.mode === "run" && isTrue(raw.run_once)) {
        const shared = await once(step, r.occurrence(step), async () => {
          const o = await compute();
          return o.result ?? { changed: false, failed: false, skipped: false, msg: "", duration_ms: 0 };
        });
        this.start(ref);
        outcome = {
          result: shared.host === r.options.host ? shared.result : { ...shared.result, run_once_host: shared.host },
        };
      } else outcome = await compute();
    } catch (e) {
      // A template or expression that fails on a value only the run produced: this step failed.
      if (r.collecting || !(e instanceof RunbookError)) throw e;
      this.start(ref);
      outcome = { result: errorResult(e) };
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
    const ignored = result.failed && settings.ignoreErrors === true;
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
    // A failed step notifies nothing, even when its failure is ignored or rescued (as in Ansible).
    if (result.changed && !result.failed && raw.notify !== undefined) {
      for (const h of r.notify([raw.notify].flat().map(String)))
        r.emit({ kind: "handler-notified", step: ref, handler: h });
    }
    if (result.failed && !ignored) throw new StepFailed(ref, result);
  }

  private async loop(
    step: Step,
    frame: Frame,
    ref: StepRef,
    scope: Scope,
    stepSettings: Settings,
    tags: string[],
  ): Promise<Outcome> {
    const raw = step.raw;
    const r = this.r;
    const got = loopItems(raw, scope);
    if (!Array.isArray(got)) {
      r.plan({
        step: ref,
        decision: "runtime",
        reason: `loop items are known at run time (${got.unknown.path})`,
        waitsFor: got.unknown,
        tags,
      });
      return { unknown: got.unknown };
    }
    const items = got;
    // Without items the step does nothing; a plan still lists it, and says why.
    if (items.length === 0 && this.inPlan) r.plan({ step: ref, decision: "skip", reason: emptyLoopReason(raw), tags });
    const lc = (raw.loop_control ?? {}) as LoopControl;
    const pauseMs = lc.pause !== undefined ? parseDuration(lc.pause) : 0;
    this.start(ref);
    const results: Result[] = [];
    const t0 = performance.now();
    let anyUnknown = false;
    for (const [index, item] of (items as unknown[]).entries()) {
      const loopVars = loopVarsFor(lc, item, index);
      const stepVars = this.stepVars(step, frame, loopVars);
      const itemScope = buildScope(r.globals, frame, stepVars, loopVars);
      const settings = mergeSettings(frame.inherited, compileSettings(raw, itemScope, step.baseDir));
      if (stepSettings.noLog) settings.noLog = true;
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
      const out = await this.once(step, frame, ref, stepVars, loopVars, settings, tags, { index, label }, itemRef);
      if (out.unknown !== undefined) {
        anyUnknown = true;
        continue;
      }
      const res = out.result;
      // As Ansible: each result carries the item under the loop variable's name.
      res[lc.loop_var ?? "item"] = item;
      if (lc.index_var) res[lc.index_var] = index;
      const noLog = ref.noLog === true;
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
    // An empty loop is a skipped step (Ansible: skipped, "No items in the list"), so `r.skipped` holds.
    if (items.length === 0)
      return {
        result: {
          ...loopResult([], performance.now() - t0),
          skipped: true,
          skip_reason: emptyLoopReason(raw),
          msg: "No items in the list",
        },
      };
    return { result: loopResult(results, performance.now() - t0) };
  }

  /** One execution of the step (one loop item): when, creates/removes, arguments, then run or plan. */
  private async once(
    step: Step,
    frame: Frame,
    ref: StepRef,
    stepVars: Scope | undefined,
    loopVars: Scope | undefined,
    settings: Settings,
    tags: string[],
    item: { index: number; label: string } | undefined,
    /** The step as the plan shows it (its name rendered for this item). */
    planRef: StepRef = ref,
  ): Promise<Outcome> {
    const raw = step.raw;
    const r = this.r;
    const scope = buildScope(r.globals, frame, stepVars, loopVars);
    const noLog = ref.noLog === true;
    const notifies = raw.notify === undefined ? undefined : [raw.notify].flat().map(String);
    if (raw.when !== undefined) {
      const c = evaluateAll(raw.when, scope, valueLocOf(raw, "when"));
      if ("waitsFor" in c) {
        r.plan({
          step: planRef,
          item,
          decision: "runtime",
          reason: `when depends on ${c.waitsFor.path}${c.waitsFor.from ? ` from ${c.waitsFor.from}` : ""}`,
          waitsFor: c.waitsFor,
          info: r.mode === "check" ? undefined : await this.ifItRuns(step, ref, scope, settings),
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
    if (noLog) {
      const { ...user } = scope.vars as Scope;
      for (const k of Object.keys(loopVars ?? {})) delete user[k];
      learnNoLogInputs(r.secrets, step.args, args, user, r.shown);
      r.secrets.addTree(stepVars);
    } else {
      r.shown.add(planRef.name);
      r.shown.add(args);
    }
    const probe = step.action?.readOnly === true || settings.checkMode === false;
    const ctx = actionContext(this.r, this.ioFor(step), step, ref, scope, settings);
    const skipBy = await this.createsRemoves(ctx, creates, removes);
    if (r.mode === "check") {
      if (step.action?.check && !containsUnknown(args)) await step.action.check(args as never, ctx);
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
    // A probe must not run with placeholder text in its command (a value known only at run time may
    // sit inside a string: `probing {{ r.stdout }}`): it is decided when the playbook runs.
    const held = this.inPlan && probe && !step.action?.handlesUnknown ? (u ?? markerInside(args)) : undefined;
    if (held) {
      r.plan({
        step: planRef,
        item,
        decision: "runtime",
        reason: `the probe's arguments are known at run time (${held.path}${held.from ? ` from ${held.from}` : ""})`,
        waitsFor: held,
        args: noLog ? "<redacted: no_log>" : args,
        tags,
        noLog,
      });
      return { unknown: held };
    }
    // `check_mode: true`: in a real run too, the step only says what it would do.
    if (!this.inPlan && settings.checkMode === true && !step.action?.readOnly && !u)
      return { result: await this.dryRunResult(step, args, ctx) };
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
      const parsed = parseArgs(step, args);
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
    // Said plainly, rather than the shell's "command not found" for a directory that is not there.
    if (ctx.cwd !== undefined && !(await ctx.fs.stat(ctx.cwd)))
      return {
        result: { changed: false, failed: true, skipped: false, msg: `cwd: the directory ${ctx.cwd} does not exist` },
      };
    const result = await runAttempts(
      { signal: r.signal, emit: (e) => r.emit(e), plan: this.inPlan },
      step,
      ref,
      scope,
      args,
      ctx,
    );
    if (this.inPlan && typeof result.retry_pending === "string") {
      const waitsFor = { path: step.raw.register ? String(step.raw.register) : "result" };
      r.plan({
        step: planRef,
        item,
        decision: "runtime",
        reason: result.retry_pending,
        waitsFor,
        args: noLog ? "<redacted: no_log>" : args,
        tags,
        noLog,
      });
      return { unknown: waitsFor };
    }
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
          // A probe's message is its output (a no_log `fail:` says its msg): hidden like the rest.
          summary: noLog ? `${result.failed ? "failed" : "ran"} (output hidden: no_log)` : probeSummary(step, result),
          command: await this.commandOf(step, args, ctx),
          willChange: false,
        },
        tags,
        noLog,
      });
    return { result };
  }

  /** The result of a `check_mode: true` step in a real run: what it would do, changing nothing. */
  private async dryRunResult(step: Step, args: unknown, ctx: ActionContext): Promise<Result> {
    // As Ansible's command module: without creates/removes it cannot tell what a command would do, so it is skipped.
    const name = step.action?.name;
    if ((name === "shell" || name === "command") && step.raw.creates === undefined && step.raw.removes === undefined)
      return { ...skippedResult("check_mode: a command without creates/removes is not run"), dry_run: true };
    const info = await step.action!.plan(parseArgs(step, args), ctx);
    const result: Result = {
      changed: info.willChange === true,
      failed: false,
      skipped: false,
      msg: info.summary,
      dry_run: true,
    };
    if (info.diff) result.diff = info.diff;
    if (info.command) result.cmd = info.command;
    return result;
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
      return (await step.action.plan(parseArgs(step, args), ctx)).command;
    } catch {
      return undefined;
    }
  }

  /**
   * For a step whose `when` only the run decides: what it would do if it runs (the command line, the
   * file it writes), so that a plan shows it. Nothing when its arguments wait for the run too.
   */
  private async ifItRuns(step: Step, ref: StepRef, scope: Scope, settings: Settings): Promise<PlanInfo | undefined> {
    const noLog = settings.noLog === true;
    if (!step.action || step.kind !== "action" || step.action.readOnly) return undefined;
    try {
      const args = this.args(step, scope, false);
      if (containsUnknown(args)) return undefined;
      const info = await step.action.plan(
        parseArgs(step, args),
        actionContext(this.r, this.ioFor(step), step, ref, scope, settings),
      );
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
      const field = step.action?.scalarField;
      if (field && typeof raw === "string" && typeof args !== "string") args = { [field]: args };
    }
    if (check && step.action && !containsUnknown(args)) parseArgs(step, args);
    return args;
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

  private setVars(
    step: Step,
    frame: Frame,
    ref: StepRef,
    scope: Scope,
    item: { index: number; label: string } | undefined,
    tags: string[],
  ): Outcome {
    const values = renderValue(step.args, scope, valueLocOf(step.raw, step.actionKey)) as Scope;
    this.r.secrets.addVars(values);
    if (ref.noLog) this.r.secrets.addTree(values);
    Object.assign(frame.runtime, values);
    if (this.inPlan)
      this.r.plan({
        step: ref,
        item,
        decision: "run",
        probe: true,
        args: ref.noLog ? "<redacted: no_log>" : values,
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
    this.r.secrets.addVars(loaded);
    const vars = renderVarsInOrder(
      loaded,
      (done) => ({ ...scope, ...done, vars: { ...(scope.vars as Scope), ...done } }),
      () => false,
    );
    this.r.secrets.addVars(vars);
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

/** The loop variables of a looped step as placeholders, for what is resolved once per step. */
function placeholders(raw: Record<string, unknown>): Scope {
  const lc = (raw.loop_control ?? {}) as LoopControl;
  const out: Scope = {};
  for (const n of [lc.loop_var ?? "item", lc.index_var]) if (n) out[n] = makeUnknown({ path: n });
  return out;
}

/** A run-time template or expression error as the step's failed result: where, and what. */
function errorResult(e: RunbookError): Result {
  const where = e.location ? `${formatLocation(e.location)}: ` : "";
  return {
    changed: false,
    failed: true,
    skipped: false,
    msg: `${where}${e.message}${e.hint ? ` (${e.hint})` : ""}`,
  };
}

/** A YAML boolean or Ansible's yes/on/true spelling. */
function isTrue(v: unknown): boolean {
  return v === true || (typeof v === "string" && /^\s*(true|yes|on)\s*$/i.test(v));
}

function delegatedLocally(step: Step): boolean {
  const d = step.raw.delegate_to;
  return d === "localhost" || d === "127.0.0.1";
}

const LOCAL_ADAPTERS = { exec: localExec, fs: localFs, probe: localProbe, local: true };
