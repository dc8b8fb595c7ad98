import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { LAZY, lazyField } from "./lazy.js";

/**
 * Where facts come from. Facts are read synchronously (templates are synchronous); a remote
 * transport gathers them once on connect and serves them from memory.
 */
export interface FactSource {
  platform: string;
  machine(): string;
  hostname(): string;
  user(): string;
  home(): string;
  cpus(): number;
  memoryBytes(): number;
  kernel(): string;
  env(name: string): string | undefined;
  readText(path: string): string | undefined;
  run(argv: string[]): string | undefined;
}

export const localFactSource: FactSource = {
  platform: process.platform,
  machine: () => os.machine(),
  hostname: () => os.hostname(),
  user: () => os.userInfo().username,
  home: () => os.homedir(),
  cpus: () => os.availableParallelism(),
  memoryBytes: () => os.totalmem(),
  kernel: () => os.release(),
  env: (name) => process.env[name],
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  run(argv) {
    try {
      return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return undefined;
    }
  },
};

export interface Facts {
  os: string;
  arch: string;
  machine: string;
  distro: { id: string; version: string; codename: string };
  hostname: string;
  user: string;
  home: string;
  cpus: number;
  memory_mb: number;
  kernel: string;
  page_size: number;
  is_raspberry_pi: boolean;
  shell: string;
}

export const FACT_NAMES: readonly (keyof Facts)[] = [
  "os",
  "arch",
  "machine",
  "distro",
  "hostname",
  "user",
  "home",
  "cpus",
  "memory_mb",
  "kernel",
  "page_size",
  "is_raspberry_pi",
  "shell",
];

/** `uname -m` → the arch names Go, Kubernetes and Istio release files use. */
export function archName(machine: string): string {
  const m = machine.toLowerCase();
  if (m === "x86_64" || m === "amd64" || m === "x64") return "amd64";
  if (m === "aarch64" || m === "arm64" || m === "armv8b") return "arm64";
  // armv8l is a 32-bit userland on a 64-bit CPU: K3s's install.sh (arm*) and Istio ship it armhf/armv7.
  if (m.startsWith("armv7") || m === "armv8l" || m === "arm") return "armv7";
  if (m.startsWith("armv6")) return "armv6";
  if (m === "i386" || m === "i686" || m === "x86" || m === "ia32") return "386";
  if (m === "ppc64le") return "ppc64le";
  if (m === "s390x") return "s390x";
  if (m === "riscv64") return "riscv64";
  return m;
}

export function osName(platform: string): string {
  if (platform === "win32") return "windows";
  return platform;
}

function parseOsRelease(text: string | undefined): { id: string; version: string; codename: string } {
  const kv: Record<string, string> = {};
  for (const line of (text ?? "").split("\n")) {
    const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) kv[m[1]!] = m[3]!;
  }
  return { id: kv.ID ?? "", version: kv.VERSION_ID ?? "", codename: kv.VERSION_CODENAME ?? "" };
}

/** Facts computed lazily: a run that reads none pays nothing. `overrides` replace any fact (tests, --fact). */
export function createFacts(src: FactSource = localFactSource, overrides: Partial<Facts> = {}): Facts {
  const f = {} as Facts & { [LAZY]: boolean };
  Object.defineProperty(f, LAZY, { value: true, enumerable: false });
  const compute: { [K in keyof Facts]: () => Facts[K] } = {
    os: () => osName(src.platform),
    machine: () => src.machine(),
    arch: () => archName(f.machine),
    distro: () => {
      if (src.platform === "darwin") {
        return { id: "macos", version: src.run(["sw_vers", "-productVersion"]) ?? "", codename: "" };
      }
      return parseOsRelease(src.readText("/etc/os-release"));
    },
    hostname: () => src.hostname(),
    user: () => src.user(),
    home: () => src.home(),
    cpus: () => src.cpus(),
    memory_mb: () => Math.round(src.memoryBytes() / 1024 / 1024),
    kernel: () => src.kernel(),
    page_size: () => Number(src.run(["getconf", "PAGESIZE"]) ?? 4096) || 4096,
    is_raspberry_pi: () => /raspberry pi/i.test(src.readText("/proc/device-tree/model") ?? ""),
    shell: () => src.env("SHELL") ?? (src.platform === "win32" ? "cmd.exe" : "/bin/sh"),
  };
  for (const name of FACT_NAMES) {
    // Configurable like a computed fact: CEL reads facts through a proxy that converts numbers.
    if (name in overrides)
      Object.defineProperty(f, name, { value: overrides[name], enumerable: true, configurable: true });
    else lazyField<unknown>(f, name, compute[name]);
  }
  return f;
}

/** All facts, gathered now (for `runbook facts`). */
export function gatherAll(facts: Facts): Facts {
  const out = {} as Record<string, unknown>;
  for (const name of FACT_NAMES) out[name] = facts[name];
  return out as unknown as Facts;
}
