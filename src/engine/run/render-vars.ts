import { RunbookError } from "../errors.js";
import { valueLocOf } from "../load/yaml.js";
import { renderValue } from "../template.js";

/**
 * Render a mapping of variables whose values may be templates over each other (`b: "{{ a }}"`), in
 * dependency order: each value sees the ones rendered before it. `scopeWith(done)` gives the scope
 * for a value, with `done` holding what is rendered so far. Names in `skip` stay as they are.
 */
export function renderVarsInOrder(
  layer: Record<string, unknown>,
  scopeWith: (done: Record<string, unknown>) => Record<string, unknown>,
  skip: (name: string) => boolean,
  done: Record<string, unknown> = {},
): Record<string, unknown> {
  const rendered: Record<string, unknown> = { ...layer };
  let pending = Object.keys(layer).filter((k) => !skip(k));
  let lastError: RunbookError | undefined;
  while (pending.length) {
    const next: string[] = [];
    for (const k of pending) {
      try {
        rendered[k] = renderValue(layer[k], scopeWith(done), valueLocOf(layer, k));
        done[k] = rendered[k];
      } catch (e) {
        // Only a reference to a value not rendered yet is worth another pass; any other error (a
        // refused lookup, a bad filter) is final, and retrying would report a later, wrong error.
        if (!(e instanceof RunbookError) || e.code !== "template" || !waitsFor(e, pending)) throw e;
        lastError = e;
        next.push(k);
      }
    }
    // No progress: what is left refers to something undefined (or to each other in a cycle).
    if (next.length === pending.length) throw lastError!;
    pending = next;
  }
  Object.assign(done, rendered);
  return rendered;
}

function waitsFor(e: RunbookError, pending: string[]): boolean {
  const name = /^undefined variable `([^`.[]+)/.exec(e.message)?.[1];
  return name !== undefined && pending.includes(name);
}
