// The bundled istio preset end to end against a loopback release mirror (test/support/release-server.ts):
// for every platform Istio publishes istioctl for, the right asset is fetched and verified, istioctl lands
// in install_dir, a second run fetches nothing, `state: absent` removes it, and a bad checksum installs nothing.
import { execFileSync } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { ReleaseServer, type ServedFile } from "../support/release-server.js";
import { listTree } from "../support/tmp.js";
import { applyPreset, HOST_ARCH, HOST_OS, type Sandbox, sandbox } from "./support.js";

const VERSION = "1.30.4";
/** Istio's legacy arch-less osx / win asset names (before 1.19). */
const LEGACY = "1.18.2";

/** Every os/arch the preset accepts, with the asset name Istio's release-builder gives it. */
const PAIRS = [
  { os: "linux", arch: "amd64", platform: "linux-amd64" },
  { os: "linux", arch: "arm64", platform: "linux-arm64" },
  { os: "linux", arch: "armv7", platform: "linux-armv7" },
  { os: "darwin", arch: "amd64", platform: "osx-amd64" },
  { os: "darwin", arch: "arm64", platform: "osx-arm64" },
  { os: "windows", arch: "amd64", platform: "win-amd64" },
];

let mirror: ReleaseServer;
/** What the mirror serves for each platform of VERSION. */
const served = new Map<string, ServedFile>();

beforeAll(async () => {
  mirror = await ReleaseServer.start();
  for (const p of PAIRS) served.set(p.platform, mirror.addIstioctl(VERSION, p.platform));
  for (const legacy of ["osx", "win"]) mirror.addIstioctl(LEGACY, legacy);
  // For the pairs only a newer Istio names with the arch, an asset that must never be fetched.
  mirror.addIstioctl(LEGACY, "linux-amd64");
});

afterAll(async () => {
  await mirror?.close();
});

const apply = (s: Sandbox, pair: { os: string; arch: string }, params: Record<string, unknown>) =>
  applyPreset(s, "istio", mirror.origin, pair, params);

/** The checksum the download step verified the file against. */
function verified(events: RunEvent[]): unknown[] {
  return events
    .filter((e): e is Extract<RunEvent, { kind: "step-end" }> => e.kind === "step-end" && e.step.action === "download")
    .map((e) => e.result.checksum);
}

function failureMessages(events: RunEvent[]): string {
  return events
    .filter((e): e is Extract<RunEvent, { kind: "step-end" }> => e.kind === "step-end" && e.status === "failed")
    .map((e) => `${e.step.name}: ${String(e.result.msg ?? "")}`)
    .join("\n");
}

describe.each(PAIRS)("istio preset on $os/$arch", (pair) => {
  const exe = pair.os === "windows" ? "istioctl.exe" : "istioctl";
  const ext = pair.os === "windows" ? "zip" : "tar.gz";
  const asset = `${VERSION}/istioctl-${VERSION}-${pair.platform}.${ext}`;

  test(`fetches ${asset}, verifies it, installs ${exe}; a second run fetches nothing; absent removes it`, async () => {
    const s = await sandbox("runbook-istio-preset-");
    try {
      const before = { asset: mirror.requests(asset), sum: mirror.requests(`${asset}.sha256`), all: mirror.requests() };
      const first = await apply(s, pair, { version: VERSION });
      expect(failureMessages(first.events)).toBe("");
      expect(first.status).toBe("ok");
      expect(first.changed).toBeGreaterThan(0);
      // Exactly the platform's asset and its checksum, nothing else.
      expect(mirror.requests(asset) - before.asset).toBe(1);
      expect(mirror.requests(`${asset}.sha256`) - before.sum).toBe(1);
      expect(mirror.requests() - before.all).toBe(2);
      expect(verified(first.events)).toEqual([`sha256:${served.get(pair.platform)?.sha256}`]);

      const bin = join(s.installDir, exe);
      const st = await stat(bin);
      expect(st.isFile()).toBe(true);
      expect(st.mode & 0o777).toBe(0o755);
      expect(await readFile(bin, "utf8")).toContain(`client version: ${VERSION}`);
      if (pair.os === HOST_OS && pair.arch === HOST_ARCH) {
        expect(execFileSync(bin, ["version", "--remote=false"], { encoding: "utf8" }).trim()).toBe(
          `client version: ${VERSION}`,
        );
      }

      const afterFirst = mirror.requests();
      const second = await apply(s, pair, { version: VERSION });
      expect(failureMessages(second.events)).toBe("");
      expect(second.status).toBe("ok");
      expect(second.changed).toBe(0);
      expect(mirror.requests()).toBe(afterFirst);

      const removed = await apply(s, pair, { version: VERSION, state: "absent" });
      expect(failureMessages(removed.events)).toBe("");
      expect(removed.status).toBe("ok");
      expect(removed.changed).toBeGreaterThan(0);
      await expect(stat(bin)).rejects.toMatchObject({ code: "ENOENT" });
      expect(mirror.requests()).toBe(afterFirst);

      const again = await apply(s, pair, { version: VERSION, state: "absent" });
      expect(again.status).toBe("ok");
      expect(again.changed).toBe(0);
    } finally {
      await s.cleanup();
    }
  });
});

describe("istio preset, legacy asset names", () => {
  test.each([
    { os: "darwin", arch: "amd64", asset: `${LEGACY}/istioctl-${LEGACY}-osx.tar.gz`, exe: "istioctl" },
    { os: "windows", arch: "amd64", asset: `${LEGACY}/istioctl-${LEGACY}-win.zip`, exe: "istioctl.exe" },
  ])("Istio before 1.19 on $os/$arch fetches $asset", async ({ os, arch, asset, exe }) => {
    const s = await sandbox("runbook-istio-preset-");
    try {
      const before = { asset: mirror.requests(asset), all: mirror.requests() };
      const r = await apply(s, { os, arch }, { version: LEGACY });
      expect(failureMessages(r.events)).toBe("");
      expect(r.status).toBe("ok");
      expect(mirror.requests(asset) - before.asset).toBe(1);
      expect(mirror.requests(`${asset}.sha256`)).toBeGreaterThan(0);
      expect(mirror.requests() - before.all).toBe(2);
      expect((await stat(join(s.installDir, exe))).mode & 0o777).toBe(0o755);
    } finally {
      await s.cleanup();
    }
  });
});

describe("istio preset, checksum mismatch", () => {
  test("fails naming the checksum and installs nothing", async () => {
    const bad = "1.30.5";
    const platform = `${HOST_OS === "darwin" ? "osx" : "linux"}-${HOST_ARCH}`;
    const asset = `${bad}/istioctl-${bad}-${platform}.tar.gz`;
    mirror.addIstioctl(bad, platform);
    // A .sha256 for other bytes: what a tampered or corrupted mirror serves.
    mirror.addFile(`${asset}.sha256`, `${"0".repeat(64)}  istioctl-${bad}-${platform}.tar.gz\n`, {
      checksumFile: false,
    });
    const s = await sandbox("runbook-istio-preset-");
    try {
      const r = await apply(s, { os: HOST_OS, arch: HOST_ARCH }, { version: bad });
      expect(r.status).toBe("failed");
      expect(mirror.requests(asset)).toBe(1);
      const msg = failureMessages(r.events);
      expect(msg).toContain(`checksum mismatch: expected sha256:${"0".repeat(64)}`);
      expect(msg).toContain(asset);
      await expect(stat(join(s.installDir, "istioctl"))).rejects.toMatchObject({ code: "ENOENT" });
      // Neither the archive nor an unpacked istioctl is left anywhere in the sandbox.
      const left = [...(await listTree(s.home)), ...(await listTree(s.cacheDir)), ...(await listTree(s.installDir))];
      expect(left.filter((p) => /istioctl/.test(p))).toEqual([]);
    } finally {
      await s.cleanup();
    }
  });
});

describe("istio preset, unsupported platforms", () => {
  test.each([
    { os: "windows", arch: "arm64" },
    { os: "darwin", arch: "armv7" },
    { os: "linux", arch: "s390x" },
  ])("$os/$arch fails before fetching anything", async (pair) => {
    const s = await sandbox("runbook-istio-preset-");
    try {
      const before = mirror.requests();
      const r = await apply(s, pair, { version: VERSION });
      expect(r.status).toBe("failed");
      expect(failureMessages(r.events)).toContain(`not ${pair.os}/${pair.arch}`);
      expect(mirror.requests()).toBe(before);
      expect(await listTree(s.installDir)).toEqual([]);
    } finally {
      await s.cleanup();
    }
  });
});
