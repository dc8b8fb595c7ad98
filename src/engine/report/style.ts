import type { StepStatus } from "../events.js";

/** Colour functions that are the identity when colour is off, so callers never branch on it. */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

// SGR open/close pairs; the close codes are the specific resets so nested styles survive.
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39],
} as const;

export function createStyle(enabled: boolean): Style {
  const paint =
    ([open, close]: readonly [number, number]) =>
    (text: string): string =>
      enabled && text !== "" ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: paint(CODES.bold),
    dim: paint(CODES.dim),
    red: paint(CODES.red),
    green: paint(CODES.green),
    yellow: paint(CODES.yellow),
    cyan: paint(CODES.cyan),
    magenta: paint(CODES.magenta),
  };
}

/** The colour of each status word: ok green, changed yellow, skipped cyan, failed red, ignored dim red, rescued magenta. */
export function paintStatus(style: Style, status: StepStatus | "interrupted", text: string = status): string {
  switch (status) {
    case "ok":
      return style.green(text);
    case "changed":
      return style.yellow(text);
    case "skipped":
      return style.cyan(text);
    case "failed":
    case "interrupted":
      return style.red(text);
    case "ignored":
      return style.dim(style.red(text));
    case "rescued":
      return style.magenta(text);
  }
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Text without ANSI escape sequences (for width computations and goldens). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
