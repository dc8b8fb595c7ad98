#!/usr/bin/env node
// Start-up is most of a short run: let Node cache compiled code on disk (Node ≥ 22.1; in the OS temp dir, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off). The CLI is imported after, so it benefits.
import module from "node:module";

try {
  module.enableCompileCache?.();
} catch {
  // an unwritable cache directory only costs speed
}
await import("../dist/cli/main.js");
