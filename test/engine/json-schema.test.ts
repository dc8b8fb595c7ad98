import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionsMarkdown } from "../../src/engine/schema/actions-doc.js";
import { jsonSchemas } from "../../src/engine/schema/json-schema.js";

const ROOT = resolve(import.meta.dirname, "../..");
const schemas = jsonSchemas();
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validatePlaybook = ajv.compile(schemas.playbook);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : f === "playbook.yml" ? [p] : [];
  });
}

describe("JSON Schema", () => {
  it("is committed up to date in schema/ (run `npm run docs` after changing a zod schema)", () => {
    expect(JSON.parse(readFileSync(join(ROOT, "schema/playbook.schema.json"), "utf8"))).toEqual(schemas.playbook);
    expect(JSON.parse(readFileSync(join(ROOT, "schema/preset.schema.json"), "utf8"))).toEqual(schemas.preset);
  });

  it("docs/actions.md is generated from the same schemas and up to date (npm run docs)", () => {
    expect(readFileSync(join(ROOT, "docs/actions.md"), "utf8")).toBe(actionsMarkdown());
  });

  it("accepts every valid fixture playbook", () => {
    const files = yamlFiles(join(ROOT, "test/fixtures")).filter(
      (f) => !f.includes("/invalid/") && !/typo|trap/.test(f),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const ok = validatePlaybook(parse(readFileSync(f, "utf8")));
      expect(ok ? "" : `${f}: ${JSON.stringify(validatePlaybook.errors?.slice(0, 3))}`).toBe("");
    }
  });

  it("flags an unknown key and a step with two actions", () => {
    expect(validatePlaybook([{ name: "x", shell: "true", regster: "out" }])).toBe(false);
    expect(validatePlaybook([{ shell: "true", command: "true" }])).toBe(false);
    expect(validatePlaybook([{ shell: "true", register: "out", when: "out.rc == 0" }])).toBe(true);
  });
});
