import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { RunbookError } from "../engine/errors.js";
import { createFacts, FACT_NAMES, type Facts } from "../engine/facts.js";
import { didYouMeanHint } from "../engine/suggest.js";
import { PACKAGE_ROOT } from "../version.js";
import { parseExtraVars } from "./extra-vars.js";

export interface CommonOptions {
  extraVars?: string[];
  presetPath?: string[];
  fact?: string[];
}

export function factsFrom(overrides: string[] = []): Facts {
  const o: Record<string, unknown> = {};
  for (const f of overrides) {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new RunbookError("usage", `--fact ${f}: expected name=value`);
    const name = f.slice(0, eq);
    // A misspelt fact would silently leave the real one in place: the plan would be for this machine.
    if (!(FACT_NAMES as readonly string[]).includes(name.split(".")[0] ?? name)) {
      throw new RunbookError("usage", `--fact ${f}: there is no fact named "${name}"`, {
        hint: didYouMeanHint(name, FACT_NAMES) ?? `the facts are ${FACT_NAMES.join(", ")} (see \`runbook facts\`)`,
      });
    }
    o[f.slice(0, eq)] = parseExtraVars([f])[f.slice(0, eq)];
  }
  return createFacts(undefined, o as Partial<Facts>);
}

export function common(opts: CommonOptions) {
  return {
    extraVars: parseExtraVars(opts.extraVars ?? []),
    presetPaths: opts.presetPath ?? [],
    facts: factsFrom(opts.fact),
  };
}

/** A playbook argument: the file as given, or a bundled one (`playbooks/dev.yml`) when no such file is here. */
export function playbookFile(file: string): string {
  if (isAbsolute(file) || existsSync(file) || !file.startsWith("playbooks/")) return file;
  const bundled = join(PACKAGE_ROOT, file);
  return existsSync(bundled) ? bundled : file;
}
