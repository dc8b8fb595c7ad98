import { dirname, isAbsolute, resolve } from "node:path";
import { VERSION } from "../../version.js";
import { RunbookError, RunbookErrors } from "../errors.js";
import type { ChainLink, RunEvent, Stats, StepRef } from "../events.js";
import { emptyStats } from "../events.js";
import { evaluateCondition } from "../expr.js";
import { createFacts } from "../facts.js";
import { isUnreachable } from "../io/ssh/errors.js";
import type { Playbook, Step } from "../load/model.js";
import { Loader } from "../load/playbook.js";
import { checkParam } from "../load/preset.js";
import { keyLocOf, valueLocOf } from "../load/yaml.js";
import { redactResult } from "../report/redact.js";
import { looksSecret, SecretMasker } from "../secrets.js";
import { formatLocation } from "../source.js";
import { didYouMeanHint } from "../suggest.js";
import { localTarget } from "../target.js";
import { renderString, renderValue } from "../template.js";
import { containsUnknown, isUnknown, makeUnknown } from "../unknown.js";
import { defaultCacheDir } from "./context.js";
import { emptyLoopReason, isLooped, type LoopControl, loopItems, loopVarsFor, renderLoopName } from "./loop.js";
import { learnOutputs, ShownValues } from "./no-log-secrets.js";
import { renderVarsInOrder } from "./render-vars.js";
import { type Result, skippedResult } from "./result.js";
import { buildScope, childFrame, type Frame, type Globals } from "./scope.js";
import { compileSettings, mergeSettings, type Settings } from "./settings.js";
import { Interrupted, StepFailed } from "./signals.js";
import { StepRunner } from "./step.js";
import { checkTagNames, mayHoldStep, ownTags, tagFilterReason } from "./tags.js";
import type { PlanEntry, RunMode, RunOptions } from "./types.js";

export interface RunSummary {
  status: "ok" | "failed" | "interrupted" | "unreachable";
  stats: Stats;
  durationMs: number;
  stoppedAt?: StepRef | undefined;
  /** Interrupted: `stoppedAt` had completed (and reported its result) when the run stopped. */
  stoppedAfter?: boolean | undefined;
  /** A failure that was not a step's own (e.g. a template error met at run time). */
  error?: RunbookError | undefined;
}

/** Walks a playbook's steps: blocks, includes, presets, handlers, tags. Actions run in StepRunner. */
export class Runner {
  readonly mode: RunMode;
  readonly stats = emptyStats();
  readonly globals: Globals;
  readonly signal: AbortSignal;
  readonly secrets: SecretMasker;
  /** What steps showed in clear so far: not learnt as a later no_log step's input. */
  readonly shown = new ShownValues();
  /** In check mode (and plans), user errors are collected so that all of them are reported together. */
  get collecting(): boolean {
    return this.mode === "check" || this.options.collectErrors === true;
  }
  /** Problems found in check mode, all reported together. */
  readonly checkErrors: RunbookError[] = [];
  private counter = 0;
  private started: boolean;
  private readonly pending = new Set<Step>();
  private readonly handlerIndex = new Map<string, Step[]>();
  current: StepRef | undefined;
  private readonly occurrences = new Map<Step, number>();

  /** How many times this host has reached `step` so far (a step in a looped include is reached once per item). */
  occurrence(step: Step): number {
    const n = (this.occurrences.get(step) ?? 0) + 1;
    this.occurrences.set(step, n);
    return n;
  }
  readonly steps: StepRunner;

  constructor(
    readonly playbook: Playbook,
    readonly options: RunOptions = {},
  ) {
    this.mode = options.mode ?? "run";
    this.signal = options.signal ?? new AbortController().signal;
    const env = options.env ?? process.env;
    this.secrets = options.masker ?? new SecretMasker();
    // As written too: an error excerpt shows the raw text of a var whose template failed.
    this.secrets.addVars(playbook.vars).addVars(playbook.varsFiles).addLayer(options.extraVars).addVars(env);
    const target = options.target ?? localTarget({ exec: options.exec, fs: options.fs });
    this.globals = {
      facts: options.facts ?? createFacts(target.facts),
      magic: options.magicVars ?? {},
      env,
      runbook: {
        version: VERSION,
        dry_run: this.mode !== "run",
        playbook_dir: playbook.dir,
        playbook_file: playbook.file,
      },
      extraVars: options.extraVars ?? {},
      secrets: this.secrets,
    };
    this.started = !options.startAtTask;
    for (const h of playbook.handlers) {
      const names = [h.raw.name, ...[h.raw.listen ?? []].flat()].filter((n): n is string => typeof n === "string");
      for (const n of names) this.handlerIndex.set(n, [...(this.handlerIndex.get(n) ?? []), h]);
    }
    this.steps = new StepRunner(this, {
      exec: target.exec,
      fs: target.fs,
      fsAs: target.fsAs,
      probe: target.probe,
      local: target.local !== false,
      reconnect: target.reconnect,
      cacheDir: options.cacheDir ?? defaultCacheDir(env),
    });
  }

  emit(e: RunEvent): void {
    const host = this.options.host;
    this.options.onEvent?.(host !== undefined && e.host === undefined ? { ...e, host } : e);
  }

  plan(entry: PlanEntry): void {
    if (!this.quiet) this.options.onPlan?.(entry);
  }

  /** Entries recorded while checking a rescue that may never run are left out of the plan. */
  private quiet = false;

  private async checkRescue(rescue: Step[], frame: Frame): Promise<void> {
    const unknown = {
      failed_step: makeUnknown({ path: "failed_step" }),
      failed_result: makeUnknown({ path: "failed_result" }),
    };
    const was = this.quiet;
    this.quiet = true;
    try {
      await this.walk(rescue, childFrame(frame, { layers: [...frame.layers, unknown] }));
    } finally {
      this.quiet = was;
    }
  }

  ref(step: Step, frame: Frame, name: string, noLog = false): StepRef {
    const ref: StepRef = {
      id: String(++this.counter),
      name,
      action: step.actionKey,
      location: step.location,
      chain: frame.chain,
      depth: frame.chain.length,
    };
    if (noLog) ref.noLog = true;
    if (this.options.host !== undefined) ref.host = this.options.host;
    return ref;
  }

  async run(): Promise<RunSummary> {
    const t0 = performance.now();
    const pb = this.playbook;
    // A mistyped tag is invalid input: found before anything runs (the check pass runs this too).
    if (!this.options.tagNamesChecked) checkTagNames(pb, this.options.tags ?? [], this.options.skipTags ?? []);
    this.emit({ kind: "run-start", playbook: pb.name, file: pb.file, dryRun: this.mode !== "run", version: VERSION });
    let frame: Frame = {
      layers: [],
      // A host's registered results and set_vars outlive the play (as in Ansible): the fleet passes them in.
      runtime: this.options.runtime ?? {},
      chain: [],
      baseDir: pb.dir,
      inherited: { tags: [] },
    };
    // Outside the try: a template error here is invalid input (exit 2), found by the check pass.
    frame = { ...frame, layers: this.playbookVars(frame) };
    // A host's ansible_become, then the play's become/become_user/environment, under every step's own.
    const play = pb.settings ? pickSettings(compileSettings(pb.settings, buildScope(this.globals, frame), pb.dir)) : {};
    frame.inherited = { ...mergeSettings(this.options.hostSettings ?? {}, play), tags: [] };
    let summary: RunSummary;
    try {
      await this.walk(pb.tasks, frame);
      if (!this.started && this.options.startAtTask) this.noSuchStartStep();
      await this.flushHandlers(frame);
      summary = { status: "ok", stats: this.stats, durationMs: 0 };
    } catch (e) {
      if (e instanceof Interrupted) {
        summary = {
          status: "interrupted",
          stats: this.stats,
          durationMs: 0,
          stoppedAt: e.step ?? this.current,
          ...(e.finished ? { stoppedAfter: true } : {}),
        };
      } else if (e instanceof StepFailed) {
        summary = { status: "failed", stats: this.stats, durationMs: 0, stoppedAt: e.step };
        if (this.options.forceHandlers) await this.flushHandlers(frame).catch(() => undefined);
      } else if (isUnreachable(e)) {
        summary = {
          status: "unreachable",
          stats: this.stats,
          durationMs: 0,
          stoppedAt: this.current,
          error: undefined,
        };
        summary.error = new RunbookError("unreachable", e.message, { cause: e });
      } else if (e instanceof RunbookError) {
        summary = { status: "failed", stats: this.stats, durationMs: 0, stoppedAt: this.current, error: e };
      } else throw e;
    }
    summary.durationMs = Math.round(performance.now() - t0);
    if (this.collecting && this.checkErrors.length) throw new RunbookErrors(this.checkErrors);
    this.emit({
      kind: "run-end",
      status: summary.status,
      stats: summary.stats,
      durationMs: summary.durationMs,
      stoppedAt: summary.stoppedAt,
      stoppedAfter: summary.stoppedAfter,
      error: summary.error?.message,
    });
    return summary;
  }

  /**
   * Playbook `vars` and `vars_files` may be templates over each other and facts (`b: "{{ a }}"`), as in
   * Ansible. They are rendered once, when the run starts, in dependency order; names given with -e
   * win and are not rendered. A reference to a result registered later is an error with a hint.
   */
  private playbookVars(frame: Frame): Record<string, unknown>[] {
    const pb = this.playbook;
    const acc: Record<string, unknown> = {};
    const layers = this.options.inventoryVars
      ? [this.options.inventoryVars, pb.vars, pb.varsFiles]
      : [pb.vars, pb.varsFiles];
    const out = layers.map((layer) => {
      try {
        return renderVarsInOrder(
          layer,
          (done) => buildScope(this.globals, { ...frame, layers: [done] }),
          (k) => k in this.globals.extraVars,
          acc,
        );
      } catch (e) {
        // The hint is about order of evaluation: only a missing name can be a value known later.
        if (!(e instanceof RunbookError) || !/^undefined variable|has no field/.test(e.message)) throw e;
        throw new RunbookError(e.code, e.message, {
          location: e.location,
          hint: `${e.hint ? `${e.hint}; ` : ""}playbook vars are rendered when the run starts: for a value known only later, use \`set_vars\` after the step that registers it`,
        });
      }
    });
    return out;
  }

  private noSuchStartStep(): void {
    const err = new RunbookError(
      "usage",
      `--start-at-task: no step is named ${JSON.stringify(this.options.startAtTask)}`,
      {
        hint: "use a step's `name:` exactly as written",
      },
    );
    if (this.mode === "check") this.checkErrors.push(err);
    else throw err;
  }

  async walk(steps: Step[], frame: Frame): Promise<void> {
    for (const step of steps) {
      // Every step started so far has reported its end, so `current` finished before the stop.
      if (this.signal.aborted) throw new Interrupted(this.current, this.current !== undefined);
      if (this.collecting) {
        try {
          await this.step(step, frame);
        } catch (e) {
          if (!(e instanceof RunbookError)) throw e;
          this.checkErrors.push(e);
        }
      } else {
        await this.step(step, frame);
      }
    }
  }

  /** The step's own tags plus those of the blocks, includes and presets around it. */
  tagsOf(step: Step, frame: Frame): string[] {
    return [...frame.inherited.tags, ...ownTags(step)];
  }

  /** Why --tags/--skip-tags leave a step with these tags out, if they do. */
  selected(tags: string[]): string | undefined {
    return tagFilterReason(tags, this.options.tags ?? [], this.options.skipTags ?? []);
  }

  /** --start-at-task: steps before the named one are passed over. */
  beforeStart(name: unknown, rendered: string): boolean {
    if (this.started) return false;
    if (name === this.options.startAtTask || rendered === this.options.startAtTask) this.started = true;
    return !this.started;
  }

  /**
   * A block, include or preset with no step named as --start-at-task inside is passed over whole,
   * without evaluating its `when` (it may read results of steps that were passed over), as Ansible does.
   */
  private beforeStartWhole(step: Step, frame: Frame): boolean {
    const target = this.options.startAtTask;
    if (this.started || target === undefined) return false;
    // Starting at a block, include or preset by its name starts at its first step.
    if (this.nameIs(step, frame, target)) {
      this.started = true;
      return false;
    }
    if (mayHoldStep(step, target)) return false;
    this.skipTree(step, frame, "before --start-at-task");
    return true;
  }

  private nameIs(step: Step, frame: Frame, target: string): boolean {
    const name = step.raw.name;
    if (typeof name !== "string") return false;
    if (name === target) return true;
    try {
      return renderString(name, buildScope(this.globals, frame)) === target;
    } catch {
      return false;
    }
  }

  async step(step: Step, frame: Frame): Promise<void> {
    switch (step.kind) {
      case "block":
        return this.block(step, frame);
      case "include":
        return this.include(step, frame);
      case "preset":
        return this.preset(step, frame);
      case "flush_handlers":
        return this.flushHandlers(frame);
      default:
        return this.steps.run(step, frame);
    }
  }

  /**
   * Skipped by a filter or a false `when`: show it in the plan (with its children), run nothing. With
   * `announce` (a block, include or preset whose `when` is false), each step inside is also reported,
   * counted and registered as skipped, as Ansible does; filtered steps are not shown in a run.
   */
  skipTree(step: Step, frame: Frame, reason: string, announce = false): void {
    if (this.mode === "run" && !announce) return;
    if (step.kind === "block" && step.block) {
      for (const s of [...step.block.block, ...step.block.rescue, ...step.block.always])
        this.skipTree(s, frame, reason, announce);
      return;
    }
    const written = typeof step.raw.name === "string" ? step.raw.name : step.actionKey;
    let name = written;
    const scope = buildScope(this.globals, frame);
    try {
      // Shown as it would read when run; loop variables read as placeholders (`Roll <ns> back`).
      name = isLooped(step.raw)
        ? renderLoopName((step.raw.loop_control ?? {}) as LoopControl, (extra) =>
            renderString(written, { ...scope, ...extra }),
          ).text
        : renderString(written, scope);
    } catch {
      // a name that needs run-time values stays as written
    }
    const ref = this.ref(step, frame, name);
    if (this.mode !== "run") this.plan({ step: ref, decision: "skip", reason });
    if (!announce || this.mode === "check") return;
    const result = skippedResult(reason);
    this.register(step, frame, result, ref);
    this.stats.skipped++;
    this.emit({ kind: "step-start", step: ref });
    this.emit({ kind: "step-end", step: ref, status: "skipped", result, durationMs: 0, reason });
  }

  /** Evaluate `when` on a block, include or preset (once, on entry). */
  private entryCondition(step: Step, scope: Record<string, unknown>): { skip?: string; runtime?: string } {
    const when = step.raw.when;
    if (when === undefined) return {};
    for (const [i, expr] of (Array.isArray(when) ? when : [when]).entries()) {
      const loc = Array.isArray(when) ? valueLocOf(when, i) : valueLocOf(step.raw, "when");
      const c = evaluateCondition(expr, scope, loc);
      if (!c.known) return { runtime: c.waitsFor.path };
      if (!c.value) return { skip: `when: ${String(expr)}` };
    }
    return {};
  }

  private async block(step: Step, frame: Frame): Promise<void> {
    if (this.filteredOut(step, frame)) return;
    if (this.beforeStartWhole(step, frame)) return;
    const b = step.block!;
    const raw = step.raw;
    const scope = buildScope(this.globals, frame);
    // An unnamed block is known by where it starts.
    const name =
      typeof raw.name === "string"
        ? renderString(raw.name, scope, valueLocOf(raw, "name"))
        : `at ${step.location ? formatLocation(step.location) : "?"}`;
    const cond = this.entryCondition(step, scope);
    if (cond.skip) return this.skipTree(step, frame, cond.skip, true);
    this.secrets.addVars(raw.vars as Record<string, unknown> | undefined);
    const vars = raw.vars
      ? (renderValue(raw.vars, scope, valueLocOf(raw, "vars")) as Record<string, unknown>)
      : undefined;
    // The block's own settings, resolved once on entry with its vars, over those of the blocks around it.
    const own = compileSettings(raw, vars ? buildScope(this.globals, frame, vars) : scope, step.baseDir);
    const inner = childFrame(frame, {
      layers: vars ? [...frame.layers, vars] : frame.layers,
      chain: [...frame.chain, { kind: "block", name, location: step.location }],
      inherited: { ...mergeSettings(frame.inherited, own), tags: this.tagsOf(step, frame) },
    });
    let failure: StepFailed | undefined;
    try {
      await this.walk(b.block, inner);
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      failure = e;
    }
    if (failure && b.rescue.length) {
      const failedStep = {
        name: failure.step.name,
        location: failure.step.location ? formatLocation(failure.step.location) : "",
      };
      const rescueFrame = childFrame(inner, {
        layers: [...inner.layers, { failed_step: failedStep, failed_result: failure.result }],
      });
      // Rescued once the rescue starts, as Ansible counts it: a failure inside the rescue counts on its own.
      this.stats.failed--;
      this.stats.rescued++;
      try {
        await this.walk(b.rescue, rescueFrame);
        failure = undefined;
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        failure = e;
      }
    } else if (this.mode !== "run" && b.rescue.length) {
      // The check pass checks the rescue steps too (a typo in a rollback must not wait for a failure),
      // with the failure itself unknown; they are recorded only as what runs if the block fails.
      if (this.mode === "check") await this.checkRescue(b.rescue, inner);
      for (const s of b.rescue) this.skipTree(s, inner, "rescue: runs only if a step in the block fails");
    }
    await this.walk(b.always, inner);
    if (failure) throw failure;
  }

  /** Could any step below this one pass the tag filter? If not, its `when` is never evaluated. */
  private subtreeSelected(step: Step, inherited: string[]): boolean {
    const own = step.raw.tags;
    const tags = [...inherited, ...(own === undefined ? [] : [own].flat().map(String))];
    if (step.kind === "block" && step.block) {
      return [...step.block.block, ...step.block.rescue, ...step.block.always].some((s) =>
        this.subtreeSelected(s, tags),
      );
    }
    if (step.kind === "include")
      return step.include ? step.include.steps.some((s) => this.subtreeSelected(s, tags)) : true;
    if (step.kind === "preset" && step.preset) return step.preset.tasks.some((s) => this.subtreeSelected(s, tags));
    return this.selected(tags) === undefined;
  }

  /** Blocks, includes and presets whose every step is filtered out by tags are passed over whole. */
  private filteredOut(step: Step, frame: Frame): boolean {
    if (frame.chain.some((c) => c.kind === "handler") || this.subtreeSelected(step, frame.inherited.tags)) return false;
    // The step's own tags say why when they are the reason (`tagged never`, `--skip-tags x`).
    this.skipTree(
      step,
      frame,
      this.selected(this.tagsOf(step, frame)) ??
        `no step selected by ${this.options.tags?.length ? `--tags ${this.options.tags.join(",")}` : "the tag filter"}`,
    );
    return true;
  }

  private async include(step: Step, frame: Frame): Promise<void> {
    if (this.filteredOut(step, frame)) return;
    if (this.beforeStartWhole(step, frame)) return;
    const raw = step.raw;
    if (raw.loop === undefined && raw.with_items === undefined) return this.includeOnce(step, frame, undefined);
    // Like Ansible's include_tasks with loop: the file's steps run once per item, in order.
    const got = loopItems(raw, buildScope(this.globals, frame));
    if (!Array.isArray(got)) {
      this.plan({
        step: this.ref(step, frame, `include ${this.includeName(step)}`),
        decision: "runtime",
        reason: `loop items are known at run time (${got.unknown.path})`,
        waitsFor: got.unknown,
      });
      return;
    }
    const lc = (raw.loop_control ?? {}) as LoopControl;
    if (got.length === 0) return this.skipTree(step, frame, emptyLoopReason(raw));
    for (const [index, item] of got.entries()) await this.includeOnce(step, frame, loopVarsFor(lc, item, index));
  }

  private includeName(step: Step): string {
    return typeof step.args === "string" ? step.args : (step.args as { file: string }).file;
  }

  private async includeOnce(step: Step, frame: Frame, loopVars: Record<string, unknown> | undefined): Promise<void> {
    const raw = step.raw;
    // A step's own `vars` apply to the file name and, like `{ file, vars }`, to every included step.
    this.secrets.addVars(raw.vars as Record<string, unknown> | undefined);
    const stepVars = raw.vars
      ? (renderValue(raw.vars, buildScope(this.globals, frame, undefined, loopVars), valueLocOf(raw, "vars")) as Record<
          string,
          unknown
        >)
      : undefined;
    const extra = [stepVars, loopVars].filter((l): l is Record<string, unknown> => l !== undefined);
    const outer = extra.length ? childFrame(frame, { layers: [...frame.layers, ...extra] }) : frame;
    const scope = buildScope(this.globals, outer);
    const tags = this.tagsOf(step, frame);
    const cond = this.entryCondition(step, scope);
    const label =
      typeof raw.name === "string"
        ? raw.name
        : `include ${typeof step.args === "string" ? step.args : (step.args as { file: string }).file}`;
    if (cond.skip) return this.skipTree(step, frame, cond.skip, true);
    let file: string;
    let steps: Step[];
    let vars: Record<string, unknown>;
    if (step.include) {
      ({ file, steps, vars } = step.include);
    } else {
      const spec = step.args as string | { file: string; vars?: Record<string, unknown> };
      const rendered = renderValue(typeof spec === "string" ? spec : spec.file, scope, valueLocOf(raw, "include"));
      const u = containsUnknown(rendered);
      if (u) {
        this.plan({
          step: this.ref(step, frame, label),
          decision: "runtime",
          reason: `the file name is known at run time (${u.path})`,
          waitsFor: u,
        });
        return;
      }
      file = isAbsolute(String(rendered)) ? String(rendered) : resolve(step.baseDir, String(rendered));
      const loader = new Loader(this.options);
      steps = loader.taskFile(file, step);
      if (loader.errors.length) throw new RunbookErrors(loader.errors);
      vars = typeof spec === "string" ? {} : (spec.vars ?? {});
    }
    this.secrets.addVars(vars);
    const renderedVars = renderValue(vars, scope, valueLocOf(step.args, "vars")) as Record<string, unknown>;
    const inner = childFrame(frame, {
      layers: [...outer.layers, renderedVars],
      chain: [...frame.chain, { kind: "include", name: file, location: step.location } satisfies ChainLink],
      baseDir: dirname(file),
      inherited: { tags },
    });
    await this.walk(steps, inner);
  }

  private async preset(step: Step, frame: Frame): Promise<void> {
    // A preset passed over still sets what it returns, so an `always` step after it can use them.
    if (this.filteredOut(step, frame) || this.beforeStartWhole(step, frame)) {
      this.presetReturns(step, frame, true);
      return;
    }
    const preset = step.preset!;
    const scope = buildScope(this.globals, frame);
    const cond = this.entryCondition(step, scope);
    if (cond.skip) {
      this.presetReturns(step, frame, true);
      for (const s of preset.tasks) this.skipTree(s, frame, cond.skip, true);
      return;
    }
    const params = this.presetReturns(step, frame, false);
    const inner: Frame = {
      layers: [],
      runtime: {},
      params,
      chain: [...frame.chain, { kind: "preset", name: preset.name, location: step.location }],
      baseDir: preset.dir,
      inherited: { ...frame.inherited, tags: this.tagsOf(step, frame) },
    };
    await this.walk(preset.tasks, inner);
  }

  /**
   * A preset's parameters (`with:` over the defaults, checked), and its `returns:` set in the caller's scope as
   * `<name>.<key>`. Returns depend only on params and facts, so a later step can call `{{ istio.bin }}` also when
   * the preset was skipped or filtered out by tags; there (`quiet`) a `with:` that cannot render sets nothing.
   */
  private presetReturns(step: Step, frame: Frame, quiet: boolean): Record<string, unknown> {
    const preset = step.preset!;
    const raw = step.raw;
    const params: Record<string, unknown> = {};
    try {
      const scope = buildScope(this.globals, frame);
      const given = (renderValue(raw.with ?? {}, scope, valueLocOf(raw, "with")) ?? {}) as Record<string, unknown>;
      // Defaults may be templates over facts and earlier parameters (e.g. "{{ facts.home }}/.local/bin").
      const defaultsScope = { facts: this.globals.facts, env: this.globals.env, runbook: this.globals.runbook, params };
      for (const [k, p] of Object.entries(preset.parameters)) {
        const v = k in given ? given[k] : renderValue(p.default, defaultsScope, { file: preset.file, line: 1, col: 1 });
        if (v === undefined) continue;
        if (!containsUnknown(v)) {
          const msg = checkParam(k, p, v);
          if (msg)
            throw new RunbookError("preset-param", msg, {
              location: valueLocOf(raw.with, k) ?? keyLocOf(raw, "preset"),
            });
        }
        params[k] = v;
      }
      const keys = Object.keys(preset.returns);
      if (keys.length) {
        const at = { file: preset.file, line: 1, col: 1 };
        frame.runtime[preset.name.replace(/\W/g, "_")] = Object.fromEntries(
          keys.map((k) => [k, renderValue(preset.returns[k], defaultsScope, at)]),
        );
      }
    } catch (e) {
      if (!quiet) throw e;
    }
    return params;
  }

  /** A `notify` naming no handler is a typo that would silently never run (Ansible errors too). */
  checkNotify(step: Step): void {
    const names = [step.raw.notify].flat().map(String);
    const known = [...this.handlerIndex.keys()];
    for (const [i, n] of names.entries()) {
      if (this.handlerIndex.has(n)) continue;
      throw new RunbookError("schema", `notify: no handler is named or listens to \`${n}\``, {
        location: Array.isArray(step.raw.notify) ? valueLocOf(step.raw.notify, i) : valueLocOf(step.raw, "notify"),
        hint:
          didYouMeanHint(n, known) ??
          (known.length ? `handlers: ${known.join(", ")}` : "this playbook has no handlers"),
      });
    }
  }

  /** Mark handlers (by name or listen topic) to run at the next flush. */
  notify(names: string[]): string[] {
    const hit: string[] = [];
    for (const n of names) {
      for (const h of this.handlerIndex.get(n) ?? []) {
        this.pending.add(h);
        hit.push(String(h.raw.name));
      }
    }
    return hit;
  }

  async flushHandlers(frame: Frame): Promise<void> {
    while (this.pending.size) {
      const due = this.playbook.handlers.filter((h) => this.pending.has(h));
      this.emit({ kind: "handlers-flush", handlers: due.map((h) => String(h.raw.name)) });
      // One pass in definition order, as Ansible: a handler notified by one before it runs in this pass,
      // one defined earlier waits for the next pass.
      for (const h of this.playbook.handlers) {
        if (!this.pending.has(h)) continue;
        this.pending.delete(h);
        // Handlers ignore tags (as in Ansible): StepRunner skips the filter inside a handler chain.
        await this.walk(
          [h],
          childFrame(frame, {
            chain: [...frame.chain, { kind: "handler", name: String(h.raw.name), location: h.location }],
          }),
        );
      }
    }
  }

  /** Register a result (or an unknown stand-in during a plan) in the frame's run-time variables. */
  register(step: Step, frame: Frame, result: Result | undefined, ref: StepRef): void {
    const name = step.raw.register;
    if (typeof name !== "string") return;
    if (result) deepFreeze(result);
    // A result registered under a secret name (`db_password`) is secret as a whole; a no_log step's output always is.
    if (result && looksSecret(name)) learnOutputs(this.secrets, result, 4);
    if (result && ref.noLog) learnOutputs(this.secrets, result);
    frame.runtime[name] =
      result ??
      makeUnknown({ path: name, from: `${ref.name}${ref.location ? ` (${formatLocation(ref.location)})` : ""}` });
  }

  redacted(result: Record<string, unknown>, noLog: boolean): Record<string, unknown> {
    return noLog ? redactResult(result) : result;
  }
}

/** A registered result never changes after the step: freezing it lets conditions cache its conversion. */
function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== "object" || Object.isFrozen(v) || isUnknown(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

export { skippedResult };

/** Only the settings a play may set (compileSettings reads every step key that is present). */
function pickSettings(s: Settings): Settings {
  return { become: s.become, becomeUser: s.becomeUser, environment: s.environment };
}
