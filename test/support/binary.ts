import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, NODE, REPO } from "./cli.js";
import { tempDir } from "./tmp.js";

// `npm test` runs `npm run build:binaries` before vitest; run it by hand before this file alone.
const BIN = join(REPO, "dist", "bin");
const PLAYBOOKS = readdirSync(join(REPO, "playbooks"))
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map((f) => `playbooks/${f}`);
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

// The arm64 binary is dynamically linked against glibc: qemu needs an arm64 loader and libraries (Debian's
// libc6-arm64-cross and libstdc++6-arm64-cross install them here).
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
const QEMU = ["/usr/bin/qemu-aarch64-static", "/usr/local/bin/qemu-aarch64-static"].find((p) => existsSync(p));
const arm64Missing = !QEMU
  ? "qemu-aarch64-static is not installed (apt-get install qemu-user-static)"
  : !existsSync(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1"))
    ? `no arm64 libraries in ${ARM64_SYSROOT} (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)`
    : undefined;
const x64Missing = process.platform === "linux" && process.arch === "x64" ? undefined : "this machine is not linux-x64";

const targets = {
  x64: { arch: "x64", missing: x64Missing, command: (exe: string) => [exe], facts: [] as string[] },
  arm64: {
    arch: "arm64",
    missing: arm64Missing,
    command: (exe: string) => [QEMU as string, "-L", ARM64_SYSROOT, exe],
    // Under qemu the binary sees an arm64 machine: plan the npm CLI for one too.
    facts: ["--fact", "arch=arm64"],
  },
};

/** The single-file binary for one arch: --version, validate and plan of every bundled playbook. */
export function describeBinary(arch: keyof typeof targets): void {
  const t = targets[arch];
  const name = `runbook-linux-${t.arch}`;
  const title = t.missing ? `${name} (skipped: ${t.missing})` : t.arch === "arm64" ? `${name} under qemu` : name;
  describe.skipIf(t.missing !== undefined)(title, () => {
    const exe = join(BIN, name);
    let cwd: { dir: string; cleanup: () => Promise<void> };
    let cache: { dir: string; cleanup: () => Promise<void> };
    let env: Record<string, string | undefined>;
    beforeAll(async () => {
      // Another folder, and a fresh cache for the binary to unpack its files into.
      cwd = await tempDir("runbook-bin-");
      cache = await tempDir("runbook-bin-cache-");
      env = { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: cache.dir };
    });
    afterAll(async () => {
      await cwd?.cleanup();
      await cache?.cleanup();
    });
    // The npm CLI (what `npm install` puts on PATH: bin/runbook.js on the supported Node), in the same folder.
    const npmCli = (args: string[]) => spawnSync(NODE, [CLI, ...args], { cwd: cwd.dir, env, encoding: "utf8" });
    const run = (args: string[]) => {
      const [cmd, ...pre] = t.command(exe);
      return spawnSync(cmd as string, [...pre, ...args], { cwd: cwd.dir, env, encoding: "utf8", timeout: 120_000 });
    };

    it("was built, with a matching .sha256 beside it", () => {
      expect(existsSync(exe), `${exe} is missing: run \`npm run build:binaries\``).toBe(true);
      const sum = createHash("sha256").update(readFileSync(exe)).digest("hex");
      expect(readFileSync(`${exe}.sha256`, "utf8")).toBe(`${sum}  ${name}\n`);
    });

    it("prints its version", () => {
      const r = run(["--version"]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`${VERSION}\n`);
    }, 60_000);

    it("unpacks its files into the cache once, or into the OS temp folder when the cache cannot be written", () => {
      const r = run(["presets"]);
      expect(r.status).toBe(0);
      const unpacked = readdirSync(join(cache.dir, "runbook", "files"));
      expect(unpacked).toEqual([expect.stringMatching(new RegExp(`^${VERSION.replaceAll(".", "\\.")}-[0-9a-f]{16}$`))]);
      expect(
        existsSync(join(cache.dir, "runbook", "files", unpacked[0] as string, "src/presets/istio/preset.yml")),
      ).toBe(true);
      // A file where the cache folder should be: nothing can be created under it.
      const blocked = join(cwd.dir, "not-a-folder");
      writeFileSync(blocked, "");
      const tmp = join(cwd.dir, "tmp");
      mkdirSync(tmp);
      const [cmd, ...pre] = t.command(exe);
      const r2 = spawnSync(cmd as string, [...pre, "plan", "playbooks/dev.yml"], {
        cwd: cwd.dir,
        env: { ...env, XDG_CACHE_HOME: blocked, TMPDIR: tmp },
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r2.stderr).toBe("");
      expect(r2.status).toBe(0);
      expect(readdirSync(tmp)).toEqual([expect.stringMatching(/^runbook-\d+$/)]);
    }, 120_000);

    it("validates every bundled playbook", () => {
      const r = run(["validate", ...PLAYBOOKS]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(PLAYBOOKS.map((p) => `ok ${p}\n`).join(""));
      expect(r.status).toBe(0);
    }, 120_000);

    it.each(PLAYBOOKS)(
      "plans %s byte for byte as the npm CLI does",
      (playbook) => {
        const r = run(["plan", playbook]);
        const expected = npmCli(["plan", playbook, ...t.facts]);
        expect(expected.stdout).toMatch(/^Plan: /);
        expect(r.stderr).toBe(expected.stderr);
        expect(r.stdout).toBe(expected.stdout);
        expect(r.status).toBe(expected.status);
      },
      120_000,
    );
  });
}
