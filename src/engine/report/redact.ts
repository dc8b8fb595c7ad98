/** What a no_log value is shown as, everywhere. */
export const REDACTED = "<redacted: no_log>";

// The masker lives beside the engine, which feeds it; reporters only apply it.
export { looksSecret, MASK, SecretMasker } from "../secrets.js";

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
