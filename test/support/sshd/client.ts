import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SshServer } from "./server.js";

/**
 * An ssh_config for reaching test servers: their host keys pinned in a known_hosts file (checked
 * strictly, as OpenSSH does for a user), the generated client key, nothing from ~/.ssh.
 */
export function writeClientConfig(dir: string, servers: readonly SshServer[]): string {
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `${servers.map((s) => s.knownHostsLine).join("\n")}\n`);
  const keys = [...new Set(servers.map((s) => s.clientKey))];
  const file = join(dir, "ssh_config");
  writeFileSync(
    file,
    [
      "Host *",
      `  UserKnownHostsFile ${knownHosts}`,
      "  GlobalKnownHostsFile /dev/null",
      "  StrictHostKeyChecking yes",
      "  IdentitiesOnly yes",
      ...keys.map((k) => `  IdentityFile ${k}`),
      `  User ${servers[0]?.user ?? "root"}`,
      "  ConnectTimeout 5",
      "  LogLevel ERROR",
      "",
    ].join("\n"),
  );
  return file;
}
