import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { seaRoot } from "./sea-root.js";

/**
 * The package root: dist/version.js → .., as a path (fileURLToPath decodes a space in the install folder, which
 * the URL spells %20); inside a single-file binary, the folder its bundled files are unpacked to.
 */
export const PACKAGE_ROOT: string = seaRoot() ?? resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;
