import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

/**
 * Permission bits from "0755", "755", "0o755" or a number. YAML 1.2 reads an unquoted `0755` as
 * the decimal 755, so a number written only with the digits 0-7 is read as octal digits (755 →
 * 0o755); any other number is the mode itself (`0o755` arrives as 493 and stays 0o755).
 */
export function parseMode(value: string | number): number {
  const text = typeof value === "number" ? String(value) : value.trim().replace(/^0o/i, "");
  if (typeof value === "number" && !/^[0-7]+$/.test(text)) {
    if (Number.isInteger(value) && value >= 0 && value <= 0o7777) return value;
  } else if (/^[0-7]{1,4}$/.test(text)) {
    return Number.parseInt(text, 8);
  }
  throw new Error(`invalid mode ${JSON.stringify(value)}: use an octal string such as "0755" or "0644"`);
}

export const modeArg = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseMode(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  })
  .describe('Permission bits as an octal string ("0755", "0644"); unquoted 0755 also works');

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1h30m", "250ms", or a number of seconds → milliseconds. */
export function parseTimeout(value: string | number): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0) return Math.round(value * 1000);
  } else if (/^\d+(\.\d+)?$/.test(value.trim())) {
    return Math.round(Number(value.trim()) * 1000);
  } else {
    let total = 0;
    let end = 0;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    const text = value.trim();
    for (let m = re.exec(text); m; m = re.exec(text)) {
      total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000);
      end = re.lastIndex;
    }
    if (end > 0 && end === text.length && total > 0) return Math.round(total);
  }
  throw new Error(`invalid timeout ${JSON.stringify(value)}: use e.g. "30s", "5m" or a number of seconds`);
}

export const timeoutArg = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseTimeout(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  })
  .describe('A duration: "30s", "5m", "1h30m", or a number of seconds');

/** A path from the playbook, made absolute against the declaring file's directory; a trailing "/" is kept. */
export function resolveArgPath(baseDir: string, path: string): string {
  const abs = isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
  return path.endsWith("/") && !abs.endsWith("/") ? `${abs}/` : abs;
}
