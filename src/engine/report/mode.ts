import type { OutputMode } from "./types.js";

export interface OutputModeInput {
  /** `--output`, when given: it always wins. */
  flag?: OutputMode | undefined;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

// CI=false or NO_COLOR= (empty) are the usual ways of saying "not set".
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/**
 * tty only for a real terminal: plain when the stream is not a terminal,
 * when `CI` is set, when `TERM=dumb`, or when `NO_COLOR` is set. `--output` wins.
 */
export function chooseOutputMode({ flag, isTTY, env }: OutputModeInput): OutputMode {
  if (flag) return flag;
  if (!isTTY || isSet(env.CI) || env.TERM === "dumb" || isSet(env.NO_COLOR)) return "plain";
  return "tty";
}

/** Colour only on a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR turns it on anywhere. */
export function chooseColor({ isTTY, env }: Omit<OutputModeInput, "flag">): boolean {
  if (isSet(env.NO_COLOR) || env.TERM === "dumb") return false;
  if (isSet(env.FORCE_COLOR)) return true;
  return isTTY;
}
