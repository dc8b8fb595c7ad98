import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeClientConfig } from "./client.js";
import { freePort, type SshServer, startSshd } from "./server.js";

/** Several test sshd "hosts" sharing one client key, an inventory naming them, and one address where nothing listens. */
export interface TestFleet {
  dir: string;
  servers: Map<string, SshServer>;
  /** Each host's own folder (host var `root`), so effects on one host can be told from another's. */
  roots: Map<string, string>;
  sshConfig: string;
  inventory: string;
  deadPort: number;
  stop(): Promise<void>;
}

export async function startFleet(names: readonly string[], opts: { dead?: string } = {}): Promise<TestFleet> {
  const dir = await mkdtemp(join(tmpdir(), "rb-fleet-"));
  const first = await startSshd();
  const servers = new Map<string, SshServer>([[names[0]!, first]]);
  for (const n of names.slice(1)) servers.set(n, await startSshd({ clientKey: first.clientKey }));
  const sshConfig = writeClientConfig(dir, [...servers.values()]);
  const roots = new Map<string, string>();
  const deadPort = await freePort();
  const lines = [
    "all:",
    "  vars:",
    `    ansible_ssh_common_args: "-F ${sshConfig}"`,
    "    ansible_host: 127.0.0.1",
    "  hosts:",
  ];
  for (const [n, s] of servers) {
    const root = join(dir, "hosts", n);
    mkdirSync(root, { recursive: true });
    roots.set(n, root);
    lines.push(`    ${n}:`, `      ansible_port: ${s.port}`, `      root: ${root}`);
  }
  if (opts.dead)
    lines.push(`    ${opts.dead}:`, `      ansible_port: ${deadPort}`, `      root: ${join(dir, "hosts", opts.dead)}`);
  const inventory = join(dir, "inventory.yml");
  writeFileSync(inventory, `${lines.join("\n")}\n`);
  return {
    dir,
    servers,
    roots,
    sshConfig,
    inventory,
    deadPort,
    async stop() {
      for (const s of servers.values()) await s.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
