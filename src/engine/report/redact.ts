/** What a no_log value is shown as, everywhere. */
export const REDACTED = "<redacted: no_log>";

/** What a secret-looking variable's value is replaced with in printed output. */
export const MASK = "********";

// Result keys that say what happened without saying anything about the step's arguments or output.
const STATUS_KEYS = new Set(["changed", "failed", "skipped", "rc", "attempts", "duration_ms", "skip_reason"]);

/**
 * The same shape with every leaf hidden: objects keep their keys, arrays their length;
 * booleans and null stay (they carry no secret), everything else becomes REDACTED.
 */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return REDACTED;
}

/** A `no_log` step's result: status fields kept, everything else (msg, cmd, output, items) redacted. */
export function redactResult(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) {
    if (STATUS_KEYS.has(key)) out[key] = value;
    else if (key === "results" && Array.isArray(value))
      out[key] = value.map((r) => (isRecord(r) ? redactResult(r) : REDACTED));
    else out[key] = REDACTED;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const SECRET_NAME = /password|passwd|token|secret|key/i;

/** Whether a variable's name says its value is a secret (`*password*`, `*token*`, `*secret*`, `*key*`). */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Values shorter than this are not masked: masking "on" or "123" would garble every line. */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces the values of secret-looking variables in any text about to be printed.
 * Nested names count too (`registry.password`), and everything under a secret name is secret.
 */
export class SecretMasker {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(vars: Record<string, unknown> = {}) {
    this.addVars(vars);
  }

  /** Learn the secrets in more variables (e.g. after `set_vars` or a `register`). */
  addVars(vars: Record<string, unknown>): this {
    collect(vars, false, this.secrets);
    this.pattern = undefined;
    return this;
  }

  /** Add a value known to be secret regardless of its name. */
  addValue(value: string): this {
    if (value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
    this.pattern = undefined;
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  mask(text: string): string {
    if (this.secrets.size === 0 || text === "") return text;
    this.pattern ??= compile(this.secrets);
    return text.replace(this.pattern, MASK);
  }
}

function collect(value: unknown, secret: boolean, into: Set<string>, depth = 0): void {
  // Vars can be cyclic (facts, env objects built by hand); nothing real nests this deep.
  if (depth > 20) return;
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const text = String(value);
    if (secret && text.length >= MIN_SECRET_LENGTH) into.add(text);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, secret, into, depth + 1);
    return;
  }
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) collect(v, secret || looksSecret(k), into, depth + 1);
  }
}

// Longest first, so a secret that contains another is masked whole.
function compile(secrets: Set<string>): RegExp {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
}
