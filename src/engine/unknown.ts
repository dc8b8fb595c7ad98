/**
 * A value that is only known when the playbook runs (a registered result, during a plan).
 * Templates render it as a visible marker, never as an empty string; conditions on it are
 * "decided at run time".
 */
const UNKNOWN = Symbol.for("runbook.unknown");

export interface UnknownInfo {
  /** The variable path, e.g. `install.stdout`. */
  path: string;
  /** The step that will produce it, e.g. `Install istioctl (playbooks/dev.yml:12:3)`. */
  from?: string | undefined;
}

export type Unknown = Record<string, unknown> & { readonly [UNKNOWN]: UnknownInfo };

export function makeUnknown(info: UnknownInfo): Unknown {
  const marker = unknownMarker(info);
  const target = Object.create(null) as Record<PropertyKey, unknown>;
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === UNKNOWN) return info;
      if (prop === Symbol.toPrimitive) return () => marker;
      if (prop === "toString" || prop === "toJSON") return () => marker;
      if (typeof prop === "symbol") return undefined;
      return makeUnknown({
        path: /^\d+$/.test(prop) ? `${info.path}[${prop}]` : `${info.path}.${prop}`,
        from: info.from,
      });
    },
    has: (_t, prop) => typeof prop === "string",
    getOwnPropertyDescriptor: (_t, prop) =>
      typeof prop === "string"
        ? { configurable: true, enumerable: true, writable: false, value: undefined }
        : undefined,
    ownKeys: () => [],
  }) as Unknown;
}

export function unknownInfo(value: unknown): UnknownInfo | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  return (value as { [UNKNOWN]?: UnknownInfo })[UNKNOWN];
}

export function isUnknown(value: unknown): value is Unknown {
  return unknownInfo(value) !== undefined;
}

/** Does the value, or anything inside it, depend on the run? */
export function containsUnknown(value: unknown, depth = 0): UnknownInfo | undefined {
  const info = unknownInfo(value);
  if (info) return info;
  if (depth > 20 || typeof value !== "object" || value === null) return undefined;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const inner = containsUnknown(v, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

export function unknownMarker(info: UnknownInfo): string {
  return `<known at run time: ${info.path}>`;
}

const MARKER = /<known at run time: ([^>]+)>/;

/**
 * A value rendered into a string leaves only its marker (`probing <known at run time: r.stdout>`),
 * which containsUnknown cannot see: the first marker inside a rendered value's strings.
 */
export function markerInside(value: unknown, depth = 0): UnknownInfo | undefined {
  if (typeof value === "string") {
    const m = MARKER.exec(value);
    return m ? { path: m[1]! } : undefined;
  }
  if (depth > 20 || typeof value !== "object" || value === null) return undefined;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const inner = markerInside(v, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}
