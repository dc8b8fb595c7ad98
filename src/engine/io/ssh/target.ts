import type { HostConnection } from "../../inventory/connection.js";
import type { Target } from "../../target.js";
import { sshExec } from "./exec.js";
import { gatherSshFacts } from "./facts.js";
import { sshFs } from "./fs.js";
import { sshProbe } from "./probe.js";
import type { SshHost, SshTransport } from "./transport.js";

/** How ssh is told to reach an inventory host (Ansible's connection variables, already resolved). */
export function sshHostOf(name: string, c: HostConnection): SshHost {
  return { name, address: c.address, port: c.port, user: c.user, privateKeyFile: c.privateKeyFile, sshArgs: c.sshArgs };
}

/**
 * An SSH host as a Target. Connecting gathers its facts in one command, so an unreachable host is
 * known before its first step (UnreachableError) and templates read facts synchronously afterwards.
 */
export async function connectSshTarget(ssh: SshTransport, host: SshHost, signal?: AbortSignal): Promise<Target> {
  const facts = await gatherSshFacts(ssh, host, signal);
  return {
    name: `ssh://${host.user ? `${host.user}@` : ""}${host.address}${host.port ? `:${host.port}` : ""}`,
    exec: sshExec(ssh, host),
    fs: sshFs(ssh, host),
    fsAs: (become, becomeUser) => sshFs(ssh, host, { become, becomeUser }),
    probe: sshProbe(ssh, host),
    facts,
    env: { HOME: facts.home(), USER: facts.user(), SHELL: facts.env("SHELL") },
    local: false,
    reconnect: () => ssh.reset(host),
  };
}
