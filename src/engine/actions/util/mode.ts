import { z } from "zod";

const MAX_MODE = 0o7777;

/**
 * Permission bits from an octal string (`"0755"`, `"755"`, `"0o755"`) or a number.
 * A number whose decimal digits are all octal digits is read as those digits, because YAML 1.2
 * reads an unquoted `mode: 0755` as the decimal 755; any other number is taken as the bits
 * themselves (`0o755` arrives as 493). Throws an Error with a readable message otherwise.
 */
export function parseMode(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw new Error(`invalid mode ${value}: expected octal such as "0755"`);
    const bits = /^[0-7]+$/.test(String(value)) ? Number.parseInt(String(value), 8) : value;
    if (bits > MAX_MODE) throw new Error(`invalid mode ${value}: larger than 07777`);
    return bits;
  }
  const text = value.trim();
  const digits = text.replace(/^0o/i, "");
  if (!/^[0-7]{1,5}$/.test(digits)) {
    const hint = /[ugoa]*[-+=][rwxXst]*/.test(text) ? " (symbolic modes are not supported)" : "";
    throw new Error(`invalid mode ${JSON.stringify(value)}: expected octal such as "0644" or "0755"${hint}`);
  }
  const bits = Number.parseInt(digits, 8);
  if (bits > MAX_MODE) throw new Error(`invalid mode ${JSON.stringify(value)}: larger than 07777`);
  return bits;
}

/** Four octal digits, as `ls`-minded people write them: 0o644 → "0644". */
export function formatMode(bits: number): string {
  return bits.toString(8).padStart(4, "0");
}

/** A `mode` field: accepts what `parseMode` accepts and outputs permission bits. */
export const modeSchema = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    try {
      return parseMode(value);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  })
  .describe('permission bits as an octal string, e.g. "0644" or "0755" (quote it: YAML reads 0755 as 755)');
