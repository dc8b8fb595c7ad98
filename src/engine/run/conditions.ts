import { evaluateCondition } from "../expr.js";
import { valueLocOf } from "../load/yaml.js";
import type { SourceLocation } from "../source.js";
import type { UnknownInfo } from "../unknown.js";

export function conditionList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Evaluate a list of conditions (all must hold). */
export function evaluateAll(
  value: unknown,
  scope: Record<string, unknown>,
  loc: SourceLocation | undefined,
): { value: boolean; expr?: string } | { waitsFor: UnknownInfo } {
  for (const [i, expr] of conditionList(value).entries()) {
    const c = evaluateCondition(expr, scope, Array.isArray(value) ? (valueLocOf(value, i) ?? loc) : loc);
    if (!c.known) return { waitsFor: c.waitsFor };
    if (!c.value) return { value: false, expr: String(expr) };
  }
  return { value: true };
}
