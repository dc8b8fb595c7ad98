import { DIRECTIVES } from "../actions/directives.js";
import { actionFor, actionKeys, directiveFor, RESERVED_ACTIONS } from "../actions/index.js";
import { RunbookError } from "../errors.js";
import { checkExpression } from "../expr.js";
import { BLOCK_KEYS, FOREIGN_KEY_HINTS, stepKeySchemas } from "../schema/keys.js";
import { issuesToErrors } from "../schema/zod-issues.js";
import type { SourceLocation } from "../source.js";
import { didYouMean } from "../suggest.js";
import type { Step, StepKind } from "./model.js";
import { keyLocOf, locOf, readAsYaml11, valueLocOf } from "./yaml.js";

export interface StepLoadContext {
  file: string;
  baseDir: string;
  handler: boolean;
  errors: RunbookError[];
  /** Expand includes, presets and blocks (provided by the playbook loader). */
  loadSteps(list: unknown, where: string, handler: boolean): Step[];
  loadInclude(step: Step): void;
  loadPreset(step: Step): void;
}

const COMMON = Object.keys(stepKeySchemas);

function conditionKeys(raw: Record<string, unknown>): [string, unknown][] {
  return (["when", "changed_when", "failed_when", "until"] as const).filter((k) => k in raw).map((k) => [k, raw[k]]);
}

/** Validate one step mapping; push every problem to ctx.errors. Returns undefined when unusable. */
export function loadStep(raw: unknown, ctx: StepLoadContext, at?: SourceLocation): Step | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    ctx.errors.push(
      new RunbookError(
        "schema",
        `a step must be a mapping of keys, not ${Array.isArray(raw) ? "a list" : raw === null || raw === undefined ? "an empty item (a `-` with nothing after it)" : JSON.stringify(raw)}`,
        {
          // A string or null has no location of its own: the list item's is where it was written.
          location: locOf(raw) ?? at,
          hint: "each step starts with `- name: ...` followed by one action key, e.g. `shell: echo hi`",
        },
      ),
    );
    return undefined;
  }
  const map = raw as Record<string, unknown>;
  const errCount = ctx.errors.length;
  const here = locOf(map);
  const actionKeysFound: string[] = [];
  for (const key of Object.keys(map)) {
    if (key === "block" || actionFor(key) || directiveFor(key) || key in RESERVED_ACTIONS) {
      actionKeysFound.push(key);
      continue;
    }
    if (COMMON.includes(key) || key === "rescue" || key === "always") continue;
    const foreign =
      FOREIGN_KEY_HINTS[key] ??
      (key.startsWith("ansible.") ? `use the runbook action \`${key.split(".").pop()}\` if there is one` : undefined);
    // Only a misspelt key needs the list of every key (built per step, so not on the happy path).
    const guess = didYouMean(key, new Set([...COMMON, ...actionKeys(), "rescue", "always"]));
    // A step with no known action: its unknown key is most likely the action it meant.
    const asAction = !Object.keys(map).some(
      (k) => k === "block" || actionFor(k) || directiveFor(k) || k in RESERVED_ACTIONS,
    );
    ctx.errors.push(
      new RunbookError("unknown-key", `unknown ${asAction && !guess ? "action" : "key"} \`${key}\` in step`, {
        location: keyLocOf(map, key),
        hint: guess
          ? `did you mean \`${guess}\`?`
          : (foreign ??
            (asAction
              ? `actions: ${[...new Set(actionKeys())].filter((k) => k !== "block").join(", ")}`
              : "see `runbook schema` or docs/language.md for the keys a step may have")),
      }),
    );
  }
  if (actionKeysFound.length === 0) {
    if (ctx.errors.length === errCount) {
      ctx.errors.push(
        new RunbookError("schema", "step has no action", {
          location: here,
          hint: "add exactly one action key, e.g. `shell:`, `command:`, `template:`, `preset:` or `block:`",
        }),
      );
    }
    return undefined;
  }
  if (actionKeysFound.length > 1) {
    ctx.errors.push(
      new RunbookError(
        "schema",
        `step has ${actionKeysFound.length} actions (${actionKeysFound.map((k) => `\`${k}\``).join(", ")}); a step does exactly one thing`,
        {
          location: keyLocOf(map, actionKeysFound[1]!),
          hint: "split it into two steps",
        },
      ),
    );
    return undefined;
  }
  const actionKey = actionKeysFound[0]!;
  if (actionKey in RESERVED_ACTIONS) {
    ctx.errors.push(
      new RunbookError("schema", `action \`${actionKey}\` is not available in this version of runbook`, {
        location: keyLocOf(map, actionKey),
        hint: `it is reserved and arrives with ${RESERVED_ACTIONS[actionKey]}`,
      }),
    );
    return undefined;
  }
  const kind: StepKind =
    actionKey === "block" ? "block" : ((directiveFor(actionKey) as StepKind | undefined) ?? "action");

  // Common keys: a block takes only some; `with` only next to `preset`; `listen` only on handlers.
  for (const key of Object.keys(map)) {
    if (key === actionKey || !COMMON.includes(key)) continue;
    if (kind === "block" && !BLOCK_KEYS.has(key)) {
      ctx.errors.push(
        new RunbookError("schema", `\`${key}\` cannot be used on a block`, {
          location: keyLocOf(map, key),
          hint: "put it on the steps inside the block",
        }),
      );
      continue;
    }
    if (key === "with" && kind !== "preset") {
      ctx.errors.push(
        new RunbookError("schema", "`with:` goes with `preset:`", {
          location: keyLocOf(map, key),
          hint: "pass action arguments under the action key",
        }),
      );
      continue;
    }
    if (key === "listen" && !ctx.handler) {
      ctx.errors.push(new RunbookError("schema", "`listen` is only for handlers", { location: keyLocOf(map, key) }));
      continue;
    }
    const schema = stepKeySchemas[key as keyof typeof stepKeySchemas];
    const r = schema.safeParse(map[key]);
    if (!r.success) ctx.errors.push(...issuesToErrors(r.error, schema, map[key], key, valueLocOf(map, key), true));
  }
  if (("rescue" in map || "always" in map) && kind !== "block") {
    ctx.errors.push(
      new RunbookError("schema", "`rescue`/`always` need a `block`", {
        location: keyLocOf(map, "rescue" in map ? "rescue" : "always"),
      }),
    );
  }
  if (ctx.handler && kind !== "block" && typeof map.name !== "string") {
    ctx.errors.push(
      new RunbookError("schema", "a handler needs a `name`", {
        location: here,
        hint: "`notify:` refers to handlers by name",
      }),
    );
  }
  for (const [key, value] of conditionKeys(map)) {
    for (const [i, expr] of (Array.isArray(value) ? value : [value]).entries()) {
      try {
        checkExpression(expr, Array.isArray(value) ? valueLocOf(value, i) : valueLocOf(map, key));
      } catch (e) {
        if (e instanceof RunbookError) ctx.errors.push(e);
        else throw e;
      }
    }
  }

  const args = map[actionKey];
  const step: Step = { kind, raw: map, location: here, actionKey, args, baseDir: ctx.baseDir, file: ctx.file };
  if (kind === "action") {
    const action = actionFor(actionKey)!;
    step.action = action;
    if (args && typeof args === "object")
      for (const f of action.yaml11Fields ?? []) readAsYaml11((args as Record<string, unknown>)[f]);
    const r = action.schema.safeParse(args);
    if (!r.success)
      ctx.errors.push(...issuesToErrors(r.error, action.schema, args, actionKey, valueLocOf(map, actionKey), true));
    if (action.rawFields && args && typeof args === "object") {
      for (const f of action.rawFields) {
        const v = (args as Record<string, unknown>)[f];
        for (const [i, expr] of (Array.isArray(v) ? v : v === undefined ? [] : [v]).entries()) {
          try {
            checkExpression(expr, Array.isArray(v) ? valueLocOf(v, i) : valueLocOf(args, f));
          } catch (e) {
            if (e instanceof RunbookError) ctx.errors.push(e);
            else throw e;
          }
        }
      }
    }
  } else if (kind === "block") {
    step.block = {
      block: ctx.loadSteps(map.block, "block", ctx.handler),
      rescue: map.rescue === undefined ? [] : ctx.loadSteps(map.rescue, "rescue", ctx.handler),
      always: map.always === undefined ? [] : ctx.loadSteps(map.always, "always", ctx.handler),
    };
  } else {
    const schema = DIRECTIVES[kind as keyof typeof DIRECTIVES].schema;
    const r = schema.safeParse(args);
    if (!r.success)
      ctx.errors.push(...issuesToErrors(r.error, schema, args, actionKey, valueLocOf(map, actionKey), true));
    else if (kind === "include") ctx.loadInclude(step);
    else if (kind === "preset") ctx.loadPreset(step);
  }
  return ctx.errors.length === errCount ? step : step.kind === "block" ? step : undefined;
}
