import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// Go-style: one or more <number><unit> parts, largest first by convention ("1h30m", "1.5s", "250ms").
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/**
 * A duration in milliseconds from `"30s"`, `"5m"`, `"1h30m"`, `"250ms"`, or seconds as a number
 * (or a numeric string, as a templated value may be). Throws an Error with a readable message otherwise.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid duration ${value}: expected seconds >= 0`);
    return Math.round(value * 1000);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== at) {
      throw new Error(
        `invalid duration ${JSON.stringify(value)}: expected e.g. "30s", "5m", "1h30m", "250ms" or seconds`,
      );
    }
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN);
  }
  if (text.length === 0 || !Number.isFinite(ms)) {
    throw new Error(
      `invalid duration ${JSON.stringify(value)}: expected e.g. "30s", "5m", "1h30m", "250ms" or seconds`,
    );
  }
  return Math.round(ms);
}

/** A duration field: accepts what `parseDuration` accepts and outputs milliseconds. */
export const durationSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  })
  .describe('a duration: "30s", "5m", "1h30m", "250ms", or seconds as a number');

/** 300000 → "5m", 5400000 → "1h30m", 1500 → "1.5s", 250 → "250ms": for messages and progress. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round(ms % 60_000) / 1000;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].join("");
}
