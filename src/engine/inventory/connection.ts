import { splitCommand } from "../actions/util/shellwords.js";
import { RunbookError } from "../errors.js";

/** How to reach a host, from Ansible's connection variables. */
export interface HostConnection {
  /** `local` runs on the controller (`ansible_connection=local`), `ssh` through OpenSSH. */
  kind: "local" | "ssh";
  /** The address or ~/.ssh/config alias given to ssh: ansible_host, else the inventory name. */
  address: string;
  port?: number | undefined;
  user?: string | undefined;
  privateKeyFile?: string | undefined;
  /** ansible_ssh_common_args and ansible_ssh_extra_args, split as a shell would. */
  sshArgs: string[];
  become: boolean;
  becomeUser?: string | undefined;
}

/** Split an argument string as a POSIX shell would (quotes and backslashes), without expanding anything. */
export function shellSplit(text: string): string[] {
  try {
    return splitCommand(text);
  } catch (e) {
    throw new RunbookError("schema", `${(e as Error).message} in ssh arguments \`${text}\``);
  }
}

function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && /^(true|yes|on|1)$/i.test(v)) || v === 1;
}

/** The connection of a host from its merged vars (values already rendered). */
export function connectionOf(name: string, vars: Record<string, unknown>): HostConnection {
  const str = (k: string) => (vars[k] === undefined || vars[k] === null ? undefined : String(vars[k]));
  const connection = str("ansible_connection") ?? (name === "localhost" ? "local" : "ssh");
  if (connection !== "local" && connection !== "ssh" && connection !== "smart") {
    throw new RunbookError("schema", `host ${name}: ansible_connection=${connection} is not supported`, {
      hint: "runbook connects with `ssh` (OpenSSH) or `local`",
    });
  }
  const portText = str("ansible_port") ?? str("ansible_ssh_port");
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new RunbookError("schema", `host ${name}: ansible_port must be a port number, got \`${portText}\``);
  }
  return {
    kind: connection === "local" ? "local" : "ssh",
    address: str("ansible_host") ?? str("ansible_ssh_host") ?? name,
    port,
    user: str("ansible_user") ?? str("ansible_ssh_user"),
    privateKeyFile: str("ansible_ssh_private_key_file") ?? str("ansible_private_key_file"),
    sshArgs: [...shellSplit(str("ansible_ssh_common_args") ?? ""), ...shellSplit(str("ansible_ssh_extra_args") ?? "")],
    become: truthy(vars.ansible_become),
    becomeUser: str("ansible_become_user"),
  };
}
