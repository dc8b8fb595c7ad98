// `npm run build:binaries`: single-file runbook executables for linux-x64 and linux-arm64 (Node's single
// executable applications): the CLI bundled by esbuild into one CommonJS file, the bundled playbooks, templates,
// presets and schema as a SEA asset, injected by postject into a Node binary of the project's exact version.
// Writes dist/bin/runbook-linux-<arch> and runbook-linux-<arch>.sha256 (sha256sum format).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { inject } from "postject";
import * as tar from "tar";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "dist", "bin");
const WORK = join(ROOT, "dist", "sea");
const CACHE = join(ROOT, "node_modules", ".cache", "runbook-sea");
// The project's own Node (the `node` dev dependency): every binary uses exactly this version.
const NODE = realpathSync(join(ROOT, "node_modules", ".bin", "node"));
const NODE_VERSION = execFileSync(NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
const HOST = `${process.platform}-${process.arch}`;
const TARGETS = (process.env.RUNBOOK_BINARY_TARGETS ?? "linux-x64,linux-arm64").split(",");
// Fixed by Node for every SEA (doc/api/single-executable-applications.md).
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

mkdirSync(OUT, { recursive: true });
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

// 1. The CLI as one CommonJS file (SEA runs CommonJS; the lazily imported modules are inlined, and run only
// when their command does).
const bundle = join(WORK, "runbook.cjs");
await build({
  entryPoints: [join(ROOT, "src", "cli", "main.ts")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: `node${NODE_VERSION.split(".")[0]}`,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  // version.ts reads import.meta.url only outside a binary; give the CommonJS bundle one that works there too.
  define: { "import.meta.url": "__runbook_import_meta_url" },
  banner: { js: 'var __runbook_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
});

// 2. The bundled files as one JSON asset, and its hash as the id the binary unpacks them under.
const files = {};
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
files["package.json"] = `${JSON.stringify({ name: pkg.name, version: pkg.version, license: pkg.license }, null, 2)}\n`;
for (const dir of ["playbooks", "templates", "src/presets", "schema"]) {
  for (const e of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath, e.name);
    files[relative(ROOT, abs)] = readFileSync(abs, "utf8");
  }
}
const filesJson = JSON.stringify(
  Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((k) => [k, files[k]]),
  ),
);
writeFileSync(join(WORK, "files.json"), filesJson);
const id = `${pkg.version}-${createHash("sha256").update(filesJson).digest("hex").slice(0, 16)}`;
writeFileSync(join(WORK, "files.id"), id);

/** The Node binary for a target: the project's own on the host, else `node-<target>` from the npm registry. */
async function nodeBinary(target) {
  if (target === HOST) return NODE;
  const dir = join(CACHE, `node-${target}-${NODE_VERSION}`);
  const bin = join(dir, "package", "bin", "node");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync("npm", ["pack", `node-${target}@${NODE_VERSION}`, "--silent", "--pack-destination", dir], {
    encoding: "utf8",
  }).trim();
  await tar.x({ file: join(dir, basename(tgz)), cwd: dir, filter: (p) => p === "package/bin/node" });
  rmSync(join(dir, basename(tgz)));
  return bin;
}

// Runs a linux-arm64 Node on an x64 build machine (Debian: qemu-user-static, libc6-arm64-cross, libstdc++6-arm64-cross).
const QEMU = ["/usr/bin/qemu-aarch64-static", "/usr/local/bin/qemu-aarch64-static"].find((p) => existsSync(p));
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
const canEmulate = (target) =>
  target === "linux-arm64" && QEMU && existsSync(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1"));

for (const target of TARGETS) {
  // V8's code cache (about half of a plan's start-up) is only valid for the CPU that made it: the blob is made
  // by the target's own Node, natively or under qemu; without either, the binary goes without the cache.
  const nodeBin = await nodeBinary(target);
  const maker = target === HOST ? [NODE] : canEmulate(target) ? [QEMU, "-L", ARM64_SYSROOT, nodeBin] : undefined;
  // RUNBOOK_SEA_CODE_CACHE=0 leaves it out (to measure it, or for a build that is byte-for-byte reproducible).
  const useCodeCache = maker !== undefined && process.env.RUNBOOK_SEA_CODE_CACHE !== "0";
  const blob = join(WORK, `${target}.blob`);
  const config = join(WORK, `${target}.sea-config.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache,
      assets: { "files.json": join(WORK, "files.json"), "files.id": join(WORK, "files.id") },
    }),
  );
  const [cmd, ...pre] = maker ?? [NODE];
  execFileSync(cmd, [...pre, "--experimental-sea-config", config], { stdio: ["ignore", "ignore", "pipe"] });
  const exe = join(OUT, `runbook-${target}`);
  rmSync(exe, { force: true });
  copyFileSync(nodeBin, exe);
  chmodSync(exe, 0o755);
  // postject's ELF library warns about every .note section of Node's binary; harmless, and it buries the output.
  const warn = console.warn;
  console.warn = (...args) => String(args[0]).includes("Can't find string offset") || warn(...args);
  try {
    await inject(exe, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: FUSE });
  } finally {
    console.warn = warn;
  }
  const sum = createHash("sha256").update(readFileSync(exe)).digest("hex");
  writeFileSync(`${exe}.sha256`, `${sum}  ${basename(exe)}\n`);
  const cacheNote = useCodeCache ? "" : maker ? "  (no code cache)" : "  (no code cache: no qemu to run its Node)";
  process.stdout.write(
    `${relative(ROOT, exe)}  ${(readFileSync(exe).length / 1e6).toFixed(1)} MB  sha256 ${sum}${cacheNote}\n`,
  );
}
