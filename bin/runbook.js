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
await import("../dist/cli/main.js");
