import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { RunbookError } from "../engine/errors.js";
import { createFacts, gatherAll } from "../engine/facts.js";
import { Loader } from "../engine/load/playbook.js";
import { listPresets, presetSearchPaths, resolvePreset } from "../engine/load/preset-resolve.js";
import { jsonSchemas } from "../engine/schema/json-schema.js";
import { displayPath } from "../engine/source.js";
import { PACKAGE_ROOT } from "../version.js";

export async function factsCommand(): Promise<number> {
  process.stdout.write(`${JSON.stringify(gatherAll(createFacts()), null, 2)}\n`);
  return 0;
}

export async function schemaCommand(which: string | undefined): Promise<number> {
  const s = jsonSchemas();
  const out = which === "preset" ? s.preset : which === "playbook" || which === undefined ? s.playbook : undefined;
  if (!out)
    throw new RunbookError("usage", `runbook schema: unknown schema ${JSON.stringify(which)}`, {
      hint: "use `playbook` or `preset`",
    });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

/** The bundled playbooks with the one-line description of each. */
export async function playbooksCommand(): Promise<number> {
  const dir = join(PACKAGE_ROOT, "playbooks");
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".yml"))
      .sort();
  } catch {
    // no bundled playbooks in this build
  }
  const rows = files.map((f) => {
    let description = "";
    try {
      const doc = parse(readFileSync(join(dir, f), "utf8")) as { description?: string } | unknown[];
      if (doc && !Array.isArray(doc) && typeof doc.description === "string") description = doc.description;
    } catch {
      description = "(does not parse: run `runbook validate` on it)";
    }
    return [displayPath(join(dir, f)), description] as const;
  });
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  for (const [f, d] of rows) process.stdout.write(`${f.padEnd(width)}  ${d}\n`);
  if (!rows.length) process.stdout.write("no bundled playbooks\n");
  return 0;
}

export async function presetsCommand(presetPath: string[]): Promise<number> {
  const paths = presetSearchPaths(presetPath);
  const found = listPresets(process.cwd(), paths);
  const rows = found.map((p) => {
    let description = "";
    try {
      description = String(
        (parse(readFileSync(join(p.dir, "preset.yml"), "utf8")) as { description?: string }).description ?? "",
      );
    } catch {
      description = "(invalid preset.yml)";
    }
    return [p.name, p.origin, description, displayPath(p.dir)] as const;
  });
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  for (const [n, o, d, dir] of rows)
    process.stdout.write(`${n.padEnd(w)}  ${o.padEnd(8)}  ${d}\n${" ".repeat(w + 12)}${dir}\n`);
  if (!rows.length) process.stdout.write("no presets found\n");
  return 0;
}

export async function presetShowCommand(name: string, presetPath: string[]): Promise<number> {
  const paths = presetSearchPaths(presetPath);
  const found = resolvePreset(name, process.cwd(), process.cwd(), paths);
  if (!found) throw new RunbookError("preset", `preset \`${name}\` not found`, { hint: "see `runbook presets`" });
  const loader = new Loader({ presetPaths: presetPath });
  const { loadPresetDir } = await import("../engine/load/preset.js");
  const p = loadPresetDir(found.dir, found.origin, loader);
  const lines = [`${p.name} (${found.origin}: ${displayPath(p.dir)})`, p.description, "", "parameters:"];
  for (const [k, v] of Object.entries(p.parameters)) {
    const extra = [
      v.required ? "required" : `default: ${JSON.stringify(v.default)}`,
      v.enum ? `one of ${v.enum.map((e) => JSON.stringify(e)).join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    lines.push(`  ${k}: ${v.type} (${extra})${v.description ? `\n      ${v.description}` : ""}`);
  }
  if (p.readme) lines.push("", p.readme.trimEnd());
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
