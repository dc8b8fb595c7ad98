type Obj = Record<string, unknown>;
type Test = (obj: Obj) => boolean;

// Split on commas that are not inside a `(a,b)` value set.
function terms(selector: string): string[] {
  return selector
    .split(/,(?![^(]*\))/)
    .map((t) => t.trim())
    .filter(Boolean);
}

const labelsOf = (obj: Obj): Record<string, string> =>
  ((obj.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;

/** Label selectors: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. */
export function labelSelector(selector: string | undefined): Test {
  if (!selector) return () => true;
  const tests = terms(selector).map((term): Test => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m;
      const values = list!.split(",").map((v) => v.trim());
      return (o) => {
        const v = labelsOf(o)[key!];
        return op === "in" ? v !== undefined && values.includes(v) : v === undefined || !values.includes(v);
      };
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m;
      return (o) => (op === "!=" ? labelsOf(o)[key!] !== value : labelsOf(o)[key!] === value);
    }
    if (term.startsWith("!")) return (o) => !(term.slice(1) in labelsOf(o));
    return (o) => term in labelsOf(o);
  });
  return (o) => tests.every((t) => t(o));
}

/** Field selectors on `metadata.name` and `metadata.namespace` (what every resource supports). */
export function fieldSelector(selector: string | undefined): Test {
  if (!selector) return () => true;
  const tests = terms(selector).map((term): Test => {
    const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`field label not supported: ${term}`);
    const [, field, op, value] = m;
    const key = field === "metadata.name" ? "name" : "namespace";
    return (o) => {
      const actual = ((o.metadata as Obj | undefined)?.[key] ?? "") as string;
      return op === "!=" ? actual !== value : actual === value;
    };
  });
  return (o) => tests.every((t) => t(o));
}
