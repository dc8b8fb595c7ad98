// `npm run build` (and so `prepare`, which npm ci runs in a clone and npm pack before packing): the CLI bundled
// by esbuild into dist/runbook.mjs, which bin/runbook.js loads when it is there. Start-up is mostly resolving
// and loading ~700 small modules; one entry file does it in a fraction (bench/README). Lazily imported modules
// (the kube client, undici, tar, each command's own code) become their own chunks, still loaded on first use:
// one file with everything inlined costs more to parse than the modules it saves.
import { readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = join(ROOT, "dist");
for (const f of readdirSync(DIST)) if (/^runbook.*\.mjs$/.test(f)) rmSync(join(DIST, f));

await build({
  entryPoints: [join(ROOT, "src", "cli", "main.ts")],
  // Chunks sit beside the entry, in dist/: version.ts finds the package root at import.meta.url + "..".
  outdir: DIST,
  entryNames: "runbook",
  chunkNames: "runbook-[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (handlebars, js-yaml's neighbours) call require(); an ES module has none.
  banner: {
    js: 'import { createRequire as __rbRequire } from "node:module"; const require = __rbRequire(import.meta.url);',
  },
});
