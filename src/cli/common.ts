import { RunbookError } from "../engine/errors.js";
import { createFacts, type Facts } from "../engine/facts.js";
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
