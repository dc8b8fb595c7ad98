// The bundled helm and kubectl presets end to end against a loopback release mirror: the asset each
// preset names for the platform is fetched and checked against its checksum file, the binary lands in
// install_dir, a second run fetches nothing, `state: absent` removes it, a bad checksum installs nothing.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { makeTar, makeZip } from "../support/archives.js";
import { ReleaseServer } from "../support/release-server.js";
import { listTree } from "../support/tmp.js";
import { applyPreset, HOST_ARCH, HOST_OS, type Sandbox, sandbox } from "./support.js";

const HELM = "4.3.0";
const KUBECTL = "1.36.4";

const helmScript = (v: string) => `#!/bin/sh\necho "v${v}+g1a2b3c4"\n`;
const kubectlScript = (v: string) => `#!/bin/sh\necho "Client Version: v${v}"\necho "Kustomize Version: v5.7.1"\n`;
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** Release platform names: Helm and Kubernetes say "arm" where runbook's facts say armv7. */
const rel = (arch: string) => (arch === "armv7" ? "arm" : arch);

const PAIRS = [
  { os: "linux", arch: "amd64" },
  { os: "linux", arch: "arm64" },
  { os: "linux", arch: "armv7" },
  { os: "darwin", arch: "arm64" },
  { os: "windows", arch: "amd64" },
];

let mirror: ReleaseServer;
/** The sha256 of every asset served, by path. */
const sums = new Map<string, string>();

/** get.helm.sh layout: helm-v<ver>-<os>-<arch>.<ext> holding <os>-<arch>/helm, plus `.sha256sum` (`<hex>  <name>`). */
function addHelm(version: string, os: string, arch: string, sum?: string): string {
  const plat = `${os}-${rel(arch)}`;
  const win = os === "windows";
  const name = `helm-v${version}-${plat}.${win ? "zip" : "tar.gz"}`;
  const entries = [
    { path: `${plat}/${win ? "helm.exe" : "helm"}`, body: helmScript(version), mode: 0o755 },
    { path: `${plat}/LICENSE`, body: "Apache-2.0\n" },
    { path: `${plat}/README.md`, body: "helm\n" },
  ];
  const archive = win ? makeZip(entries) : makeTar(entries);
  sums.set(name, mirror.addFile(name, archive, { checksumFile: false }).sha256);
  mirror.addFile(`${name}.sha256sum`, `${sum ?? sha256(archive)}  ${name}\n`, { checksumFile: false });
  return name;
}

/** dl.k8s.io layout: v<ver>/bin/<os>/<arch>/kubectl plus `.sha256` holding the bare hex. */
function addKubectl(version: string, os: string, arch: string, sum?: string): string {
  const path = `v${version}/bin/${os}/${rel(arch)}/${os === "windows" ? "kubectl.exe" : "kubectl"}`;
  const body = kubectlScript(version);
  sums.set(path, mirror.addFile(path, body, { checksumFile: false }).sha256);
  mirror.addFile(`${path}.sha256`, sum ?? sha256(body), { checksumFile: false });
  return path;
}

beforeAll(async () => {
  mirror = await ReleaseServer.start();
  for (const p of PAIRS) {
    addHelm(HELM, p.os, p.arch);
    addKubectl(KUBECTL, p.os, p.arch);
  }
});

afterAll(async () => {
  await mirror?.close();
});

async function apply(s: Sandbox, preset: string, pair: { os: string; arch: string }, params: Record<string, unknown>) {
  const r = await applyPreset(s, preset, mirror.origin, pair, params);
  const ends = r.events.filter((e): e is Extract<RunEvent, { kind: "step-end" }> => e.kind === "step-end");
  const failures = ends
    .filter((e) => e.status === "failed")
    .map((e) => `${e.step.name}: ${String(e.result.msg ?? "")}`)
    .join("\n");
  // The checksum each download step verified the file against.
  const verified = ends.filter((e) => e.step.action === "download").map((e) => e.result.checksum);
  return { status: r.status, changed: r.changed, failures, verified };
}

const TOOLS = [
  {
    preset: "helm",
    version: HELM,
    asset: (os: string, arch: string) => `helm-v${HELM}-${os}-${rel(arch)}.${os === "windows" ? "zip" : "tar.gz"}`,
    checksum: ".sha256sum",
    exe: (os: string) => (os === "windows" ? "helm.exe" : "helm"),
    versionArgs: ["version", "--short"],
    prints: `v${HELM}+g1a2b3c4`,
  },
  {
    preset: "kubectl",
    version: KUBECTL,
    asset: (os: string, arch: string) =>
      `v${KUBECTL}/bin/${os}/${rel(arch)}/${os === "windows" ? "kubectl.exe" : "kubectl"}`,
    checksum: ".sha256",
    exe: (os: string) => (os === "windows" ? "kubectl.exe" : "kubectl"),
    versionArgs: ["version", "--client"],
    prints: `Client Version: v${KUBECTL}\nKustomize Version: v5.7.1`,
  },
];

describe.each(TOOLS)("$preset preset", (tool) => {
  test.each(PAIRS)(
    "$os/$arch: right asset, verified, installed; second run fetches nothing; absent removes it",
    async (pair) => {
      const s = await sandbox("runbook-tool-preset-");
      const asset = tool.asset(pair.os, pair.arch);
      const bin = join(s.installDir, tool.exe(pair.os));
      try {
        const before = {
          asset: mirror.requests(asset),
          sum: mirror.requests(asset + tool.checksum),
          all: mirror.requests(),
        };
        const first = await apply(s, tool.preset, pair, { version: tool.version });
        expect(first.failures).toBe("");
        expect(first.status).toBe("ok");
        expect(first.changed).toBeGreaterThan(0);
        expect(mirror.requests(asset) - before.asset).toBe(1);
        expect(mirror.requests(asset + tool.checksum) - before.sum).toBe(1);
        expect(mirror.requests() - before.all).toBe(2);
        expect(first.verified).toEqual([`sha256:${sums.get(asset)}`]);

        const st = await stat(bin);
        expect(st.isFile()).toBe(true);
        expect(st.mode & 0o777).toBe(0o755);
        expect(await readFile(bin, "utf8")).toContain(tool.prints.split("\n")[0]);
        if (pair.os === HOST_OS && pair.arch === HOST_ARCH) {
          expect(execFileSync(bin, tool.versionArgs, { encoding: "utf8" }).trim()).toBe(tool.prints);
        }

        const afterFirst = mirror.requests();
        const second = await apply(s, tool.preset, pair, { version: tool.version });
        expect(second.failures).toBe("");
        expect(second.status).toBe("ok");
        expect(second.changed).toBe(0);
        expect(mirror.requests()).toBe(afterFirst);

        const removed = await apply(s, tool.preset, pair, { version: tool.version, state: "absent" });
        expect(removed.failures).toBe("");
        expect(removed.status).toBe("ok");
        expect(removed.changed).toBeGreaterThan(0);
        await expect(stat(bin)).rejects.toMatchObject({ code: "ENOENT" });
        expect(mirror.requests()).toBe(afterFirst);
      } finally {
        await s.cleanup();
      }
    },
  );

  test("a new version replaces the installed one", async () => {
    const next = tool.preset === "helm" ? "4.3.2" : "1.36.6";
    if (tool.preset === "helm") addHelm(next, "linux", "amd64");
    else addKubectl(next, "linux", "amd64");
    const s = await sandbox("runbook-tool-preset-");
    const bin = join(s.installDir, tool.exe("linux"));
    try {
      expect((await apply(s, tool.preset, { os: "linux", arch: "amd64" }, { version: tool.version })).status).toBe(
        "ok",
      );
      const before = mirror.requests();
      const up = await apply(s, tool.preset, { os: "linux", arch: "amd64" }, { version: next });
      expect(up.failures).toBe("");
      expect(up.changed).toBeGreaterThan(0);
      expect(mirror.requests() - before).toBe(2);
      expect(await readFile(bin, "utf8")).toContain(`v${next}`);
      expect((await stat(bin)).mode & 0o777).toBe(0o755);
    } finally {
      await s.cleanup();
    }
  });

  test("a checksum mismatch fails clearly and installs nothing", async () => {
    const version = tool.preset === "helm" ? "4.3.1" : "1.36.5";
    const wrong = "f".repeat(64);
    if (tool.preset === "helm") addHelm(version, "linux", "amd64", wrong);
    else addKubectl(version, "linux", "amd64", wrong);
    const s = await sandbox("runbook-tool-preset-");
    try {
      const r = await apply(s, tool.preset, { os: "linux", arch: "amd64" }, { version });
      expect(r.status).toBe("failed");
      expect(r.failures).toContain(`checksum mismatch: expected sha256:${wrong}`);
      expect(await listTree(s.installDir)).not.toContain(tool.exe("linux"));
      const left = [...(await listTree(s.home)), ...(await listTree(s.installDir))];
      expect(left.filter((p) => p.includes(tool.preset))).toEqual(
        // The helm preset's (empty) cache folder may stay; no archive, no binary.
        left.filter((p) => p.endsWith("/") && p.includes(tool.preset)),
      );
    } finally {
      await s.cleanup();
    }
  });
});
