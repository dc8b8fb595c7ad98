import { RunbookError } from "../errors.js";
import { valueLocOf } from "../load/yaml.js";
import { renderValue } from "../template.js";
import { containsUnknown, makeUnknown, type UnknownInfo } from "../unknown.js";

export interface LoopControl {
  loop_var?: string;
  index_var?: string;
  label?: string;
  pause?: string | number;
}

/**
 * The items of a step's `loop`/`with_items`: a list, or a map as `{key, value}` items; `with_items`
 * flattens one level. `{ unknown }` when the list is only known at run time (in a plan).
 */
export function loopItems(
  raw: Record<string, unknown>,
  scope: Record<string, unknown>,
): unknown[] | { unknown: UnknownInfo } {
  const key = raw.loop !== undefined ? "loop" : "with_items";
  let items = renderValue(raw[key], scope, valueLocOf(raw, key));
  const u = containsUnknown(items);
  if (u && !Array.isArray(items)) return { unknown: u };
  if (items && typeof items === "object" && !Array.isArray(items))
    items = Object.entries(items).map(([k, value]) => ({ key: k, value }));
  if (!Array.isArray(items)) {
    throw new RunbookError(
      "schema",
      `\`${key}\` must give a list or a map, got ${typeof items} ${JSON.stringify(items)?.slice(0, 40)}`,
      {
        location: valueLocOf(raw, key),
        hint: typeof items === "string" ? 'a single {{ expression }} keeps its type: `loop: "{{ names }}"`' : undefined,
      },
    );
  }
  return key === "with_items" ? items.flatMap((i: unknown) => (Array.isArray(i) ? i : [i])) : items;
}

/** The variables one loop item defines: its loop_var (default `item`) and index_var. */
export function loopVarsFor(lc: LoopControl, item: unknown, index: number): Record<string, unknown> {
  const vars: Record<string, unknown> = { [lc.loop_var ?? "item"]: item };
  if (lc.index_var) vars[lc.index_var] = index;
  return vars;
}

/**
 * A looped step's name with its loop variables bound to placeholders: `Wait for {{ item }}` reads
 * `Wait for <item>`, and `usesLoopVars` says whether it read one. Any other template error is thrown.
 */
export function renderLoopName(
  lc: LoopControl,
  render: (extra: Record<string, unknown>) => string,
): { text: string; usesLoopVars: boolean } {
  const names = [lc.loop_var ?? "item", lc.index_var].filter((n): n is string => typeof n === "string");
  const extra: Record<string, unknown> = {};
  for (const n of names) extra[n] = makeUnknown({ path: n });
  let usesLoopVars = false;
  const text = render(extra).replace(/<known at run time: ([^>]+)>/g, (m, path: string) => {
    const mine = names.some((n) => path === n || path.startsWith(`${n}.`) || path.startsWith(`${n}[`));
    usesLoopVars ||= mine;
    return mine ? `<${path}>` : m;
  });
  return { text, usesLoopVars };
}

/** Whether a step loops (`loop` or `with_items`). */
export function isLooped(raw: Record<string, unknown>): boolean {
  return raw.loop !== undefined || raw.with_items !== undefined;
}

/** Why a plan shows a step whose loop has no items as skipped: `no items to loop over (namespaces is empty)`. */
export function emptyLoopReason(raw: Record<string, unknown>): string {
  const v = raw.loop !== undefined ? raw.loop : raw.with_items;
  const single = typeof v === "string" ? /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(v)?.[1] : undefined;
  return `no items to loop over${single ? ` (${single} is empty)` : ""}`;
}
