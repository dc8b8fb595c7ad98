import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../version.js";

/** The bundled presets: src/presets in the package (or in a single-file binary's unpacked files). */
export const BUNDLED_PRESETS = join(PACKAGE_ROOT, "src/presets");

export interface PresetLocation {
  dir: string;
  origin: "relative" | "playbook" | "path" | "npm" | "bundled";
}

function isPresetDir(dir: string): boolean {
  return existsSync(join(dir, "preset.yml"));
}

/** Folders named by RUNBOOK_PRESET_PATH (colon-separated) and --preset-path, in that order. */
export function presetSearchPaths(
  extra: string[] = [],
  env: Record<string, string | undefined> = process.env,
): string[] {
  const fromEnv = (env.RUNBOOK_PRESET_PATH ?? "").split(":").filter(Boolean);
  return [...fromEnv, ...extra].map((p) => resolve(p));
}

// `@acme/runbook-presets/k3s-node` → package `@acme/runbook-presets`, preset `k3s-node`.
function splitPackage(name: string): { pkg: string; sub: string } | undefined {
  const parts = name.split("/");
  if (name.startsWith("@"))
    return parts.length >= 3 ? { pkg: parts.slice(0, 2).join("/"), sub: parts.slice(2).join("/") } : undefined;
  return parts.length >= 2 ? { pkg: parts[0]!, sub: parts.slice(1).join("/") } : undefined;
}

/** node_modules folders from `from` up to the root, as Node's resolution walks them. */
function nodeModulesDirs(from: string): string[] {
  const out: string[] = [];
  for (let d = resolve(from); ; d = dirname(d)) {
    out.push(join(d, "node_modules"));
    if (dirname(d) === d) return out;
  }
}

/** Where a package keeps its presets: its `runbook.presets` folder if package.json names one, then `presets/`. */
function packagePresetBases(pkgDir: string): string[] {
  let base = pkgDir;
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { runbook?: { presets?: string } };
    if (pkg.runbook?.presets) base = join(pkgDir, pkg.runbook.presets);
  } catch {
    // a package.json we cannot read: look in the package root
  }
  return [base, join(pkgDir, "presets")];
}

function fromNpm(name: string, fromDir: string): string | undefined {
  const split = splitPackage(name);
  if (!split) return undefined;
  for (const nm of [...nodeModulesDirs(fromDir), ...nodeModulesDirs(process.cwd())]) {
    const pkgDir = join(nm, split.pkg);
    if (!existsSync(join(pkgDir, "package.json"))) continue;
    for (const base of packagePresetBases(pkgDir)) if (isPresetDir(join(base, split.sub))) return join(base, split.sub);
  }
  return undefined;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Presets in installed npm packages, named `<package>/<preset>` as `preset:` names them; nearer packages first. */
function listNpmPresets(fromDir: string): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  const seenPkg = new Set<string>();
  for (const nm of [...nodeModulesDirs(fromDir), ...nodeModulesDirs(process.cwd())]) {
    const pkgs = subdirs(nm).flatMap((e) =>
      e.startsWith("@") ? subdirs(join(nm, e)).map((p) => `${e}/${p}`) : e.startsWith(".") ? [] : [e],
    );
    for (const pkg of pkgs) {
      const pkgDir = join(nm, pkg);
      if (seenPkg.has(pkg) || !existsSync(join(pkgDir, "package.json"))) continue;
      seenPkg.add(pkg);
      for (const base of packagePresetBases(pkgDir))
        for (const sub of subdirs(base))
          if (isPresetDir(join(base, sub))) out.push({ name: `${pkg}/${sub}`, dir: join(base, sub) });
    }
  }
  return out;
}

/** SPEC §7 lookup order: relative path, the playbook's presets/, search paths, npm packages, bundled. */
export function resolvePreset(
  name: string,
  fromDir: string,
  playbookDir: string,
  searchPaths: string[],
): PresetLocation | undefined {
  if (name.startsWith("./") || name.startsWith("../") || isAbsolute(name)) {
    const dir = isAbsolute(name) ? name : resolve(fromDir, name);
    return isPresetDir(dir) ? { dir, origin: "relative" } : undefined;
  }
  for (const base of [fromDir, playbookDir]) {
    const dir = join(base, "presets", name);
    if (isPresetDir(dir)) return { dir, origin: "playbook" };
  }
  for (const p of searchPaths) {
    if (isPresetDir(join(p, name))) return { dir: join(p, name), origin: "path" };
  }
  const npm = fromNpm(name, fromDir);
  if (npm) return { dir: npm, origin: "npm" };
  const bundled = join(BUNDLED_PRESETS, name);
  return isPresetDir(bundled) ? { dir: bundled, origin: "bundled" } : undefined;
}

/** Every preset name visible from a folder, for `runbook presets` and did-you-mean. */
export function listPresets(
  playbookDir: string,
  searchPaths: string[],
): { name: string; dir: string; origin: string }[] {
  const seen = new Map<string, { name: string; dir: string; origin: string }>();
  const scan = (base: string, origin: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(base);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const dir = join(base, e);
      if (!seen.has(e) && statSync(dir, { throwIfNoEntry: false })?.isDirectory() && isPresetDir(dir))
        seen.set(e, { name: e, dir, origin });
    }
  };
  scan(join(playbookDir, "presets"), "playbook");
  for (const p of searchPaths) scan(p, "path");
  for (const p of listNpmPresets(playbookDir)) if (!seen.has(p.name)) seen.set(p.name, { ...p, origin: "npm" });
  scan(BUNDLED_PRESETS, "bundled");
  return [...seen.values()];
}
