/** Marks an object whose fields are computed on first read (facts): consumers must not walk it eagerly. */
export const LAZY = Symbol.for("runbook.lazy");

/** Define `name` on `target` as a getter computed once, on first read. */
export function lazyField<T>(target: object, name: string, compute: () => T): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, name, { value, enumerable: true, configurable: true, writable: false });
      return value;
    },
  });
}
