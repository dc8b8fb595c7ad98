import { basename, dirname, resolve } from "node:path";
import type { ActionContext } from "../types.js";

/** The home folder as the target sees it: $HOME and the facts' home (they differ under sudo or in a chroot). */
function homes(ctx: ActionContext): string[] {
  const out = [ctx.processEnv.HOME];
  try {
    out.push(String((ctx.vars.facts as { home?: unknown } | undefined)?.home ?? ""));
  } catch {
    // facts that cannot be read here guard nothing
  }
  return out.filter((h): h is string => typeof h === "string" && h !== "").map((h) => resolve(h));
}

/**
 * Why removing `path` is almost certainly a mistake (an empty variable in `"{{ base }}/"`), or
 * undefined. `/`, any top-level folder (/usr, /home) and the home folder are refused; the path is
 * judged after `..` and a symlinked parent are resolved, as the removal would see it.
 */
export async function tooBigToRemove(ctx: ActionContext, path: string): Promise<string | undefined> {
  const lexical = resolve(path);
  const parent = (await ctx.fs.realpath(dirname(lexical)).catch(() => undefined)) ?? dirname(lexical);
  const real = lexical === "/" ? "/" : resolve(parent, basename(lexical));
  for (const p of new Set([lexical, real])) {
    if (p === "/") return "it is the root folder";
    if (dirname(p) === "/") return `${p} is a top-level folder`;
    if (homes(ctx).includes(p)) return `${p} is the home folder`;
  }
  return undefined;
}

export function refusal(path: string, why: string): string {
  return `refusing to remove ${path}: ${why}; if a variable in the path rendered empty, fix it, or set force: true if you mean it`;
}
