// A retry delay reads as the user wrote it (3s, 500ms, 1m30s): the shared formatter from duration.ts.
import { formatDuration as asWritten } from "../duration.js";
import type { ChainLink, RunEvent, StepRef, StepStatus } from "../events.js";
import { formatLocation } from "../source.js";
import type { Style } from "./style.js";

/** How many lines of a failed step's output are shown without -v. */
export const FAILURE_TAIL = 20;

/** Width of the status column in plain output ("changed " is the longest word plus a space). */
export const STATUS_WIDTH = 8;

/** 850ms, 1.2s, 2m05s: short and stable. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

export function retryText(e: Extract<RunEvent, { kind: "retry" }>): string {
  return `retry ${e.attempt}/${e.retries} in ${asWritten(e.delayMs)}: ${firstLine(e.msg)}`;
}

export function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return text.includes("\n") ? `${line} …` : line;
}

/** `[3] Install istioctl` */
export function stepLabel(step: StepRef): string {
  return `[${step.id}] ${step.name}`;
}

export function chainText(chain: ChainLink[]): string {
  return chain.map((c) => `${c.kind} ${c.name}`).join(" › ");
}

/** The last `n` lines of a text, and how many there were. */
export function tailLines(text: string, n: number): { lines: string[]; total: number } {
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  return { lines: n === Infinity ? lines : lines.slice(-n), total: lines.length };
}

// shell/command results carry the command as a string, or as an argv list.
function commandText(cmd: unknown): string | undefined {
  if (typeof cmd === "string") return cmd;
  if (Array.isArray(cmd))
    return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : JSON.stringify(String(a)))).join(" ");
  return undefined;
}

function outputText(result: Record<string, unknown>, stream: "stdout" | "stderr"): string {
  const text = result[stream];
  if (typeof text === "string") return text;
  const lines = result[`${stream}_lines`];
  return Array.isArray(lines) ? lines.map(String).join("\n") : "";
}

/**
 * What a failed step shows under its name: where it is, its message, the command, rc,
 * and the end of its output as real text (all of it with -v).
 */
export function failureLines(
  step: StepRef,
  result: Record<string, unknown>,
  opts: { verbose: boolean; style: Style },
): string[] {
  const { style } = opts;
  const out: string[] = [];
  if (step.location) out.push(`at ${formatLocation(step.location)}`);
  if (step.chain.length > 0) out.push(`in ${chainText(step.chain)}`);
  if (typeof result.msg === "string" && result.msg !== "")
    out.push(...result.msg.split(/\r?\n/).map((l, i) => (i === 0 ? `msg: ${l}` : `     ${l}`)));
  const cmd = commandText(result.cmd);
  if (cmd !== undefined) out.push(`$ ${cmd}`);
  if (typeof result.rc === "number") out.push(`rc: ${result.rc}`);
  for (const stream of ["stderr", "stdout"] as const) {
    const text = outputText(result, stream);
    if (text.trim() === "") continue;
    const { lines, total } = tailLines(text, opts.verbose ? Infinity : FAILURE_TAIL);
    const what = lines.length < total ? `${stream} (last ${lines.length} of ${total} lines):` : `${stream}:`;
    out.push(style.dim(what), ...lines.map((l) => `  ${l}`));
  }
  return out;
}

/** What a `print` (`debug`) step says: shown under it in every mode, as Ansible shows `debug`. */
export function printedLines(step: StepRef, result: Record<string, unknown>): string[] {
  if (step.action !== "print" && step.action !== "debug") return [];
  const msg = result.msg;
  if (msg === undefined || msg === "") return [];
  return (typeof msg === "string" ? msg : JSON.stringify(msg, null, 2)).split(/\r?\n/);
}

/** The skip reason as shown after a skipped step: `(when: facts.os == "darwin")`. */
export function skipText(reason: string | undefined, result: Record<string, unknown>): string {
  const why = reason ?? (typeof result.skip_reason === "string" ? result.skip_reason : undefined);
  return why ? `(${why})` : "";
}

export function padStatus(status: StepStatus | string): string {
  return status.padEnd(STATUS_WIDTH - 1);
}
