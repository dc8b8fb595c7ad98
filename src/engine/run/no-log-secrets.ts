import type { SecretMasker } from "../secrets.js";

// Result keys that say what the step did or was given, not what it produced: never learnt as secrets,
// or the program name of every no_log command ("kubectl") would be masked in every later line.
const NOT_OUTPUT = new Set([
  ...["changed", "failed", "skipped", "rc", "attempts", "duration_ms", "skip_reason", "dry_run"],
  ...[
    "cmd",
    "item",
    "msg",
    "dest",
    "path",
    "file",
    "files",
    "src",
    "diff",
    "invocation",
    "stdout_lines",
    "stderr_lines",
  ],
]);

/** Outputs are learnt from this length on: a no_log step that prints "done" must not mask every "done". */
const MIN_OUTPUT_LENGTH = 8;

/**
 * What a step produced (stdout, stderr, content, objects read), not what it was given: secret,
 * wherever it shows up later. For a no_log step, and for a result registered under a secret name.
 */
export function learnOutputs(
  secrets: SecretMasker,
  result: Record<string, unknown>,
  minLength = MIN_OUTPUT_LENGTH,
): void {
  for (const [key, value] of Object.entries(result)) {
    if (key === "results" && Array.isArray(value)) {
      for (const r of value)
        if (r && typeof r === "object") learnOutputs(secrets, r as Record<string, unknown>, minLength);
    } else if (!NOT_OUTPUT.has(key)) secrets.addTree(value, minLength);
  }
}

/** Strings a step showed in clear (its name, its arguments): a value among them is not a no_log step's secret. */
export class ShownValues {
  private readonly texts: string[] = [];

  add(value: unknown, depth = 0): void {
    if (typeof value === "string") {
      if (value.length >= 4) this.texts.push(value);
    } else if (value && typeof value === "object" && depth < 10) {
      for (const v of Object.values(value)) this.add(v, depth + 1);
    }
  }

  includes(value: string): boolean {
    return this.texts.some((t) => t.includes(value));
  }
}

/**
 * What a no_log step was given: every variable value that a template put into its arguments
 * (`--password={{ admin_pw }}` makes the value of admin_pw secret, whatever its name). Not learnt,
 * so that plans stay readable: the step's literal words (`kubectl`, `create`), paths, loop items
 * (what a no_log loop varies over), values inside lists of the playbook's data (`clusters[0].name`)
 * and values an earlier step showed in clear (a cluster name in a step's name); the callers pass
 * the variables without the loop's.
 */
export function learnNoLogInputs(
  secrets: SecretMasker,
  raw: unknown,
  rendered: unknown,
  userVars: Record<string, unknown>,
  shown?: ShownValues,
): void {
  const values = varValues(userVars).filter((v) => !shown?.includes(v));
  const walk = (r: unknown, v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (typeof v === "string") {
      const written = typeof r === "string" ? r : "";
      if (v === written) return;
      for (const value of values) if (v.includes(value) && !written.includes(value)) secrets.addValue(value);
      return;
    }
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(Array.isArray(r) ? r[i] : undefined, x, depth + 1);
      return;
    }
    if (v && typeof v === "object") {
      const ro = r && typeof r === "object" ? (r as Record<string, unknown>) : {};
      for (const [k, x] of Object.entries(v)) walk(ro[k], x, depth + 1);
    }
  };
  walk(raw, rendered, 0);
}

// A folder or file name put into a no_log command is not what it hides; masking it would blank every later path.
const isPath = (v: string): boolean => /^(~|\.{0,2})\/[^\s]*$/.test(v);

/** The scalar values of the user's variables and of their maps (not of lists), longest first, each once. */
function varValues(vars: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 3) return;
    if (typeof v === "string" || typeof v === "number") {
      if (String(v).length >= 4) out.add(String(v));
    } else if (v && typeof v === "object" && !Array.isArray(v)) for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(vars, 0);
  return [...out].filter((v) => !isPath(v)).sort((a, b) => b.length - a.length);
}
