import type { ChainLink } from "../events.js";
import type { Facts } from "../facts.js";
import type { SecretMasker } from "../secrets.js";
import type { Settings } from "./settings.js";

/** Block-level keys that apply to every step inside (resolved once, on entry), and the tags around. */
export interface Inherited extends Settings {
  tags: string[];
}

/**
 * Where a step runs: its variable layers (low → high), the run-time variables it shares
 * (registered results and set_vars; a preset has its own so nothing leaks out), and its chain.
 */
export interface Frame {
  layers: Record<string, unknown>[];
  runtime: Record<string, unknown>;
  params?: Record<string, unknown> | undefined;
  chain: ChainLink[];
  baseDir: string;
  inherited: Inherited;
}

export interface Globals {
  facts: Facts;
  env: Record<string, string | undefined>;
  runbook: Record<string, unknown>;
  extraVars: Record<string, unknown>;
  /** Learns every layer a scope is built from, so that secret-named values are masked wherever they came from. */
  secrets?: SecretMasker | undefined;
  /** inventory_hostname, groups, hostvars: Ansible's magic variables, above every user layer (runs with `-i`). */
  magic: Record<string, unknown>;
}

/**
 * The variables a template or expression sees. Precedence, low → high: playbook vars < vars_files
 * < include vars < block vars < step vars < registered/set_vars < extra vars. Facts, env and
 * runbook live in their own namespaces and cannot be shadowed.
 */
export function buildScope(
  g: Globals,
  frame: Frame,
  stepVars?: Record<string, unknown>,
  loopVars?: Record<string, unknown>,
): Record<string, unknown> {
  if (g.secrets) for (const layer of [...frame.layers, stepVars, loopVars, frame.params]) g.secrets.addLayer(layer);
  const user: Record<string, unknown> = Object.assign(
    {},
    ...frame.layers,
    stepVars,
    frame.runtime,
    g.extraVars,
    loopVars,
    g.magic,
  );
  const scope: Record<string, unknown> = { ...user, vars: user, facts: g.facts, env: g.env, runbook: g.runbook };
  if (frame.params) scope.params = frame.params;
  return scope;
}

export function childFrame(parent: Frame, patch: Partial<Frame>): Frame {
  return { ...parent, ...patch, inherited: { ...parent.inherited, ...patch.inherited } };
}
