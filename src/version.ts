import { readFileSync } from "node:fs";

/** The package root (dist/version.js → ..). */
export const PACKAGE_ROOT = new URL("..", import.meta.url).pathname;

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
