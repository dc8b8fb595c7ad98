import type { FactSource } from "../../facts.js";
import type { SshHost, SshTransport } from "./transport.js";

// One round trip gathers everything the facts need; each section is a marker line, then its text.
const FILES = ["/etc/os-release", "/proc/device-tree/model"] as const;
const SCRIPT = [
  "echo '@@platform'; uname -s",
  "echo '@@machine'; uname -m",
  "echo '@@kernel'; uname -r",
  "echo '@@hostname'; uname -n",
  "echo '@@user'; id -un",
  'echo "@@home"; echo "$HOME"',
  'echo "@@shell"; echo "$SHELL"',
  "echo '@@cpus'; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN",
  "echo '@@mem'; sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo 2>/dev/null",
  "echo '@@pagesize'; getconf PAGESIZE",
  ...FILES.map((f) => `echo '@@file ${f}'; cat ${f} 2>/dev/null | tr -d '\\000'`),
].join("\n");

export function parseSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (key !== undefined) out.set(key, lines.join("\n").trim());
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("@@")) {
      flush();
      key = line.slice(2);
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

/** Facts of an SSH host, gathered in one command over its connection and then served from memory. */
export async function gatherSshFacts(ssh: SshTransport, host: SshHost, signal?: AbortSignal): Promise<FactSource> {
  const r = await ssh.exec(host, SCRIPT, { signal });
  const s = parseSections(r.stdout);
  const get = (k: string) => s.get(k) ?? "";
  const env: Record<string, string> = { SHELL: get("shell"), HOME: get("home"), USER: get("user") };
  return {
    platform: get("platform").toLowerCase() || "linux",
    machine: () => get("machine"),
    hostname: () => get("hostname"),
    user: () => get("user"),
    home: () => get("home"),
    cpus: () => Number(get("cpus")) || 1,
    memoryBytes: () => Number(get("mem")) * 1024,
    kernel: () => get("kernel"),
    env: (name) => env[name] || undefined,
    readText: (path) => {
      const v = s.get(`file ${path}`);
      return v === undefined || v === "" ? undefined : v;
    },
    run: (argv) => (argv.join(" ") === "getconf PAGESIZE" ? get("pagesize") : undefined),
  };
}
