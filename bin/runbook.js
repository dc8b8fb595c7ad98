#!/usr/bin/env node
// Refuse an older Node in one line before importing anything (the imports themselves fail on it). The suite
// passes from 22.15 (below it undici needs zlib zstd), but undici declares and supports only >= 22.19, and npm
// warns EBADENGINE for it on every install below that: 22.19 is the minimum we promise (package.json engines).
const [maj, min] = process.versions.node.split(".").map(Number);
if (maj < 22 || (maj === 22 && min < 19)) {
  process.stderr.write(
    `runbook needs Node >= 22.19 (this is Node ${process.versions.node}); install Node 22.19+ or use the single-file runbook for linux-arm64/x64\n`,
  );
  process.exit(2);
}
// Start-up is most of a short run: let Node cache compiled code on disk (Node ≥ 22.1; in the OS temp dir, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off). The CLI is imported after, so it benefits.
const { default: module } = await import("node:module");
try {
  module.enableCompileCache?.();
} catch {
  // an unwritable cache directory only costs speed
}
// The bundled CLI (dist/runbook.mjs, made by `npm run build`) starts in a fraction of the time of the ~700
// modules of dist/cli/ it is made from; it is skipped when older than them (a `tsc` alone rebuilt dist/cli).
const { statSync } = await import("node:fs");
const mtime = (p) => statSync(new URL(p, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime("../dist/runbook.mjs") >= mtime("../dist/cli/main.js");
await import(bundled ? "../dist/runbook.mjs" : "../dist/cli/main.js");
