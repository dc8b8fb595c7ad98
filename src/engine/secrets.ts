/** What a secret value is replaced with in everything runbook prints. */
export const MASK = "********";

const SECRET_NAME = /password|passwd|token|secret|key/i;

/** Whether a variable's name says its value is a secret (`*password*`, `*token*`, `*secret*`, `*key*`). */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Values shorter than this are not masked: masking "on" or "123" would garble every line. */
const MIN_SECRET_LENGTH = 4;

/**
 * The one place that knows which values are secret, and hides them. The engine teaches it every
 * variable it brings into scope (by name) and every no_log step's inputs and outputs (by value);
 * the CLI masks everything it prints with it: events in every output mode, plans, errors.
 *
 * A secret is masked in the forms it travels in: as is, line by line (a PEM key indented in a
 * diff), JSON-escaped (a value with `"` or `\` inside a JSON plan or a quoted error message) and
 * base64 (a Kubernetes Secret's `data`).
 */
export class SecretMasker {
  /** Every form of every secret (what the pattern matches). */
  private readonly secrets = new Set<string>();
  /** The secrets as learnt, one per value. */
  private readonly values = new Set<string>();
  private readonly seen = new WeakSet<object>();
  private pattern: RegExp | undefined;

  constructor(vars: Record<string, unknown> = {}) {
    this.addVars(vars);
  }

  /** Learn the secrets among variables: values under a secret-looking name, at any depth. */
  addVars(vars: Record<string, unknown> | undefined): this {
    if (vars) this.collect(vars, false, 0);
    return this;
  }

  /** Like addVars, once per object: for scope layers, which are built once and read by every step. */
  addLayer(vars: Record<string, unknown> | undefined): this {
    if (!vars || this.seen.has(vars)) return this;
    this.seen.add(vars);
    return this.addVars(vars);
  }

  /** Every string (and number) in `value` is secret, whatever its name: a no_log step's inputs and outputs. */
  addTree(value: unknown, minLength = MIN_SECRET_LENGTH): this {
    this.collect(value, true, 0, minLength);
    return this;
  }

  /** Add a value known to be secret regardless of its name. */
  addValue(value: string, minLength = MIN_SECRET_LENGTH): this {
    const text = value.trim();
    if (text.length < minLength) return this;
    this.values.add(text);
    const forms = [value, text];
    if (text.includes("\n")) {
      for (const line of text.split(/\r?\n/)) if (line.trim().length >= minLength) forms.push(line.trim());
    }
    for (const f of [...forms]) {
      const escaped = JSON.stringify(f).slice(1, -1);
      if (escaped !== f) forms.push(escaped);
    }
    for (const t of new Set([value, text])) {
      const b64 = Buffer.from(t).toString("base64");
      forms.push(b64, b64.replace(/=+$/, ""));
    }
    const before = this.secrets.size;
    for (const f of forms) if (f.length >= MIN_SECRET_LENGTH) this.secrets.add(f);
    if (this.secrets.size !== before) this.pattern = undefined;
    return this;
  }

  /** How many secret values are known. */
  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.secrets.size === 0 || text === "") return text;
    this.pattern ??= compile(this.secrets);
    return text.replace(this.pattern, MASK);
  }

  private collect(value: unknown, secret: boolean, depth: number, minLength = MIN_SECRET_LENGTH): void {
    // Vars can be cyclic (facts, env objects built by hand); nothing real nests this deep.
    if (depth > 20) return;
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
      if (secret) this.addValue(String(value), minLength);
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) this.collect(v, secret, depth + 1, minLength);
      return;
    }
    if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) this.collect(v, secret || looksSecret(k), depth + 1, minLength);
    }
  }
}

/**
 * Every string in a structure masked, map keys too (a secret can be a key), and made JSON-safe
 * (bigint, toJSON, cycles): for JSON events and plans, masked before they are serialised so that
 * escaping cannot hide a secret from the mask.
 */
export function maskDeep(value: unknown, mask: (text: string) => string, seen = new Set<object>()): unknown {
  if (typeof value === "string") return mask(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if ("toJSON" in value && typeof value.toJSON === "function") return maskDeep(value.toJSON(), mask, seen);
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => maskDeep(v, mask, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), maskDeep(v, mask, seen)]));
  seen.delete(value);
  return out;
}

// Longest first, so a secret that contains another is masked whole.
function compile(secrets: Set<string>): RegExp {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
}
