import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jsonSchemas } from "../../src/engine/schema/json-schema.js";
import { REPO, runCli } from "../support/cli.js";
import { tempDir } from "../support/tmp.js";

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir("runbook-schema-");
});
afterEach(() => tmp.cleanup());

const read = (p: string) => JSON.parse(readFileSync(join(tmp.dir, p), "utf8")) as Record<string, unknown>;

describe("runbook schema --write DIR", () => {
  it("writes both schemas under .vscode/ and maps them in settings.json, keeping other settings", () => {
    mkdirSync(join(tmp.dir, ".vscode"));
    writeFileSync(
      join(tmp.dir, ".vscode/settings.json"),
      JSON.stringify({ "editor.tabSize": 2, "yaml.schemas": { "https://example.com/ci.json": ".ci/*.yml" } }),
    );
    const r = runCli(["schema", "--write", tmp.dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(tmp.dir, ".vscode/settings.json")}`);
    expect(read(".vscode/runbook.playbook.schema.json")).toEqual(jsonSchemas().playbook);
    expect(read(".vscode/runbook.preset.schema.json")).toEqual(jsonSchemas().preset);
    expect(read(".vscode/settings.json")).toEqual({
      "editor.tabSize": 2,
      "yaml.schemas": {
        "https://example.com/ci.json": ".ci/*.yml",
        "./.vscode/runbook.playbook.schema.json": ["playbooks/*.yml", "playbooks/*.yaml", "playbooks/tasks/*.yml"],
        "./.vscode/runbook.preset.schema.json": ["**/presets/*/preset.yml"],
      },
    });
  });

  it("takes the playbook globs from --glob, and writes settings.json where there was none", () => {
    const r = runCli(["schema", "--write", tmp.dir, "--glob", "deploy/*.yml", "--glob", "site.yml"]);
    expect(r.code).toBe(0);
    expect(
      (read(".vscode/settings.json")["yaml.schemas"] as Record<string, unknown>)[
        "./.vscode/runbook.playbook.schema.json"
      ],
    ).toEqual(["deploy/*.yml", "site.yml"]);
  });

  it("does not rewrite a settings.json with comments: exit 2, and says what to add", () => {
    mkdirSync(join(tmp.dir, ".vscode"));
    const text = '{\n  // mine\n  "editor.tabSize": 2\n}\n';
    writeFileSync(join(tmp.dir, ".vscode/settings.json"), text);
    const r = runCli(["schema", "--write", tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not plain JSON (comments?): not rewriting it");
    expect(r.stderr).toContain('"yaml.schemas": {"./.vscode/runbook.playbook.schema.json"');
    expect(readFileSync(join(tmp.dir, ".vscode/settings.json"), "utf8")).toBe(text);
  });
});

describe("the playbook schema, as an editor reads it", () => {
  const validate = new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(jsonSchemas().playbook);

  it("accepts what the engine accepts for boolean step keys: yes/no/on/off in any case and templates", () => {
    for (const v of [true, "yes", "No", "ON", "off", " True ", "{{ use_sudo }}"])
      expect(validate([{ shell: "true", become: v, no_log: v, ignore_errors: v, check_mode: v }]), String(v)).toBe(
        true,
      );
    expect(validate([{ shell: "true", become: "maybe" }])).toBe(false);
  });

  it("names an action, not `block`, first for a step with no action", () => {
    expect(validate([{ name: "nothing", when: "true" }])).toBe(false);
    const first = validate.errors?.find((e) => e.keyword === "required");
    expect(first?.params).toEqual({ missingProperty: "shell" });
  });

  it("accepts the README's playbook", () => {
    expect(validate(parse(readFileSync(join(REPO, "docs/examples/quick.yml"), "utf8")))).toBe(true);
  });
});
