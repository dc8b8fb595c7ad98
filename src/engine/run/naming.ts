import type { Step } from "../load/model.js";
import type { Result } from "./result.js";

// The argument that says most about a step, for a default name: `file: out`, `template: cfg.yaml.hbs`.
const NAME_KEYS = ["cmd", "argv", "msg", "var", "src", "path", "dest", "url", "file", "kind", "that"];

export function shortArgs(v: unknown): string {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const key = NAME_KEYS.find((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (key) return shortArgs((v as Record<string, unknown>)[key]);
  }
  if (Array.isArray(v)) return shortArgs(v.map(String).join(" "));
  const s = typeof v === "string" ? v : JSON.stringify(v);
  const line = (s ?? "").split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

export function itemLabel(item: unknown): string {
  const s = typeof item === "string" ? item : (JSON.stringify(item) ?? String(item));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** What a step that ran during a plan said: a print's message, an assert's verdict, a probe's outcome. */
export function probeSummary(step: Step, result: Result): string {
  if (result.failed) return `failed: ${result.msg}`;
  if (step.action?.readOnly) return result.msg || "ok";
  const rc = Number(result.rc ?? 0);
  // 127 is the shell's "command not found": e.g. istioctl, which the run installs first.
  return `ran (read-only probe): rc ${rc}${rc === 127 ? " (command not found)" : ""}`;
}
