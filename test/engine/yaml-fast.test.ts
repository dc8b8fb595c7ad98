import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { keyLocOf, locOf, parseYamlFast, parseYamlSlow, valueLocOf } from "../../src/engine/load/yaml.js";

/** Issue 17: the fast YAML path must give exactly what the `yaml` library gives, values and locations, or step aside. */
const ROOT = resolve(import.meta.dirname, "../..");

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name === "node_modules" || d.name === "dist" || d.name.startsWith(".")) continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(d.name)) out.push(p);
  }
  return out;
}

/** Every value and every location, as plain data, so two parses can be compared with toEqual. */
function shape(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  const keys = Object.keys(v);
  return {
    loc: locOf(v),
    entries: keys.map((k) => {
      const key = Array.isArray(v) ? Number(k) : k;
      return [k, keyLocOf(v, key), valueLocOf(v, key), shape((v as Record<string, unknown>)[k])];
    }),
  };
}

/** undefined when the fast path stepped aside; otherwise both parses, which must agree. */
function both(file: string, text: string): { fast: unknown; slow: unknown } | undefined {
  const fast = parseYamlFast(file, text);
  if (!fast) return undefined;
  // The fast path must never accept what the reference rejects.
  return { fast: shape(fast.value), slow: shape(parseYamlSlow(file, text)) };
}

const SNIPPETS: Record<string, string> = {
  scalars:
    "a: 0o17\nb: 0x1F\nc: 1_000\nd: .inf\ne: -.Inf\nf: .nan\ng: ~\nh: Null\ni: True\nj: FALSE\nk: yes\nl: 1e3\nm: +12\nn: -0\no: 2024-01-01\np: 1.50\n",
  quoted: "a: \"x \\\"y\\\" \\u00e9\\n\"\nb: 'it''s'\nc: \"multi\n  line\"\nd: ''\n",
  blocks: "a: |\n  lit\n   kept\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\nd: x\n",
  plainMultiline: "a: one\n  two\n  three\nb: end\n",
  flow: "a: { b: 1, c: [2, 3, { d: e }] }\nf: []\ng: {}\nh: [ x ,  y ]  # trailing ] comment\n",
  empty: "a:\nb:\n  c:\n  d: 1\ne: [~, ]\n",
  comments: "# head\na: 1 # one\n# between\nb:\n  # inside\n  - 2\n",
  crlf: "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
  nestedSeq: "- - a\n  - b\n- - c\n-\n  - d\n",
  keys: "1: a\ntrue: b\nnull: c\n2.5: d\n'q': e\n\"k\": f\n",
  document: "---\na: 1\n...\n",
  trailingComments:
    "tasks:\n  - name: a\n    vars:\n      x: 1\n      # in vars\n\n    # in the step\n  # in tasks\n\n# top\nl:\n  - y\n  - x   # c\n\n  # more\nh:  # c\ng:   \n",
  noFinalNewline: "a:\n  - b: 1\n    c: |\n      text",
};

describe("fast YAML path", () => {
  it("agrees with the yaml library on every YAML file in the repository", () => {
    const files = yamlFiles(ROOT);
    let fastCount = 0;
    for (const file of files) {
      // As the loader does (decodeUtf8): a leading BOM is dropped before either parser sees the text.
      const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
      let r: { fast: unknown; slow: unknown } | undefined;
      try {
        r = both(file, text);
      } catch (e) {
        throw new Error(`${relative(ROOT, file)}: the fast path accepted what the yaml library rejects: ${e}`);
      }
      if (!r) continue;
      fastCount++;
      expect(r.fast, relative(ROOT, file)).toEqual(r.slow);
    }
    // Most playbooks are plain YAML: if the fast path stepped aside for most, it would be no use.
    expect(fastCount).toBeGreaterThan(files.length * 0.8);
  });

  it.each(Object.entries(SNIPPETS))("agrees on %s", (name, text) => {
    const r = both(`/snippet/${name}.yml`, text);
    expect(r, "the fast path took it").toBeDefined();
    expect(r?.fast).toEqual(r?.slow);
  });

  it.each([
    ["an anchor and alias", "a: &x 1\nb: *x\n"],
    ["a merge key", "base: &b { x: 1 }\nc:\n  <<: *b\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a tag", "a: !!str 1\n"],
    ["an unquoted template", "a: {{ x }}\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["a syntax error", "a: b: c\n"],
    ["a mapping as a key", "? { a: 1 }\n: x\n"],
    ["an empty sequence item", "a:\n  -\n  - x\n"],
    ["a __proto__ key", "__proto__: { polluted: true }\n"],
  ])("steps aside for %s", (_, text) => {
    expect(parseYamlFast("/snippet/aside.yml", text)).toBeUndefined();
  });
});
