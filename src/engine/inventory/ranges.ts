import { RunbookError } from "../errors.js";
import type { SourceLocation } from "../source.js";

/**
 * Expand Ansible host ranges: `pi[1:3]` → pi1 pi2 pi3, `web[01:10:2]` keeps the zero padding,
 * `db-[a:c]` walks letters. Several ranges in one name multiply out.
 */
export function expandHostPattern(name: string, loc?: SourceLocation): string[] {
  const m = /^(.*?)\[([^\]]+)\](.*)$/.exec(name);
  if (!m) return [name];
  const [, head = "", spec = "", tail = ""] = m;
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3) {
    throw new RunbookError("schema", `bad host range \`[${spec}]\` in \`${name}\``, {
      location: loc,
      hint: "a range is [start:end] or [start:end:step], e.g. pi[1:3]",
    });
  }
  const [start = "", end = "", stepText = "1"] = parts;
  const step = Number(stepText);
  const out: string[] = [];
  const tails = expandHostPattern(tail, loc);
  const push = (v: string) => {
    for (const t of tails) out.push(`${head}${v}${t}`);
  };
  if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    for (let c = start.charCodeAt(0); c <= end.charCodeAt(0); c += step) push(String.fromCharCode(c));
  } else if (/^\d+$/.test(start) && /^\d+$/.test(end) && Number.isInteger(step) && step > 0) {
    const width = start.length > 1 && start.startsWith("0") ? start.length : 0;
    for (let i = Number(start); i <= Number(end); i += step) push(String(i).padStart(width, "0"));
  } else {
    throw new RunbookError("schema", `bad host range \`[${spec}]\` in \`${name}\``, {
      location: loc,
      hint: "start and end are both numbers or both single letters, the step a positive integer",
    });
  }
  if (out.length === 0) {
    throw new RunbookError("schema", `host range \`[${spec}]\` in \`${name}\` is empty`, { location: loc });
  }
  return out;
}
