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

/** What a no_log step produced (stdout, stderr, content, objects read): secret, wherever it shows up later. */
export function learnNoLogOutputs(secrets: SecretMasker, result: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(result)) {
    if (key === "results" && Array.isArray(value)) {
      for (const r of value) if (r && typeof r === "object") learnNoLogOutputs(secrets, r as Record<string, unknown>);
    } else if (!NOT_OUTPUT.has(key)) secrets.addTree(value, MIN_OUTPUT_LENGTH);
  }
}

/**
 * What a no_log step was given: every argument a template produced, and every variable value that a
 * template put into one (`--password={{ admin_pw }}` makes the value of admin_pw secret, whatever
 * its name). Literal words of the step (`kubectl`, `create`) stay visible: they are the playbook's text.
 */
export function learnNoLogInputs(
  secrets: SecretMasker,
  raw: unknown,
  rendered: unknown,
  userVars: Record<string, unknown>,
): void {
  const values = varValues(userVars);
  const walk = (r: unknown, v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (typeof v === "string") {
      const written = typeof r === "string" ? r : "";
      if (v === written) return;
      if (!isPath(v)) secrets.addValue(v);
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

/** The string values of the user's variables (a few levels down), longest first, each once. */
function varValues(vars: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 4) return;
    if (typeof v === "string" || typeof v === "number") {
      if (String(v).length >= 4) out.add(String(v));
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(vars, 0);
  return [...out].filter((v) => !isPath(v)).sort((a, b) => b.length - a.length);
}
