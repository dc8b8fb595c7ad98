import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunbookError } from "../engine/errors.js";
import { jsonSchemas } from "../engine/schema/json-schema.js";

/** Where `runbook schema --write DIR` puts the schemas, relative to DIR (the editor's workspace folder). */
export const SCHEMA_FILES = {
  playbook: ".vscode/runbook.playbook.schema.json",
  preset: ".vscode/runbook.preset.schema.json",
} as const;

export const DEFAULT_PLAYBOOK_GLOBS = ["playbooks/*.yml", "playbooks/*.yaml", "playbooks/tasks/*.yml"];
const PRESET_GLOBS = ["**/presets/*/preset.yml"];

/**
 * `runbook schema --write DIR`: both schemas into DIR/.vscode/ and `yaml.schemas` in DIR/.vscode/settings.json,
 * so yaml-language-server editors complete and check playbooks wherever they sit (a `$schema` line into
 * node_modules works only beside node_modules). Other settings in the file are kept.
 */
export function writeSchemas(dir: string, playbookGlobs: string[], out: (line: string) => void): void {
  const vscode = join(dir, ".vscode");
  const settingsFile = join(vscode, "settings.json");
  let settings: Record<string, unknown> = {};
  if (existsSync(settingsFile)) {
    const text = readFileSync(settingsFile, "utf8");
    try {
      const parsed: unknown = JSON.parse(text.trim() === "" ? "{}" : text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      settings = parsed as Record<string, unknown>;
    } catch {
      // VS Code allows comments there; rewriting the file would lose them, so say what to add instead.
      throw new RunbookError("usage", `${settingsFile} is not plain JSON (comments?): not rewriting it`, {
        hint: `add to it: "yaml.schemas": ${JSON.stringify(schemaSetting(playbookGlobs))}`,
      });
    }
  }
  mkdirSync(vscode, { recursive: true });
  const s = jsonSchemas();
  writeFileSync(join(dir, SCHEMA_FILES.playbook), `${JSON.stringify(s.playbook, null, 2)}\n`);
  writeFileSync(join(dir, SCHEMA_FILES.preset), `${JSON.stringify(s.preset, null, 2)}\n`);
  const existing = settings["yaml.schemas"];
  const others = existing && typeof existing === "object" && !Array.isArray(existing) ? existing : {};
  settings["yaml.schemas"] = { ...others, ...schemaSetting(playbookGlobs) };
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  out(`wrote ${join(dir, SCHEMA_FILES.playbook)}`);
  out(`wrote ${join(dir, SCHEMA_FILES.preset)}`);
  out(`wrote ${settingsFile}: yaml.schemas for ${[...playbookGlobs, ...PRESET_GLOBS].join(", ")}`);
}

function schemaSetting(playbookGlobs: string[]): Record<string, string[]> {
  return { [`./${SCHEMA_FILES.playbook}`]: playbookGlobs, [`./${SCHEMA_FILES.preset}`]: PRESET_GLOBS };
}
