import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const SSHD = process.env.RUNBOOK_TEST_SSHD ?? "/usr/sbin/sshd";

/** Why the SSH tests cannot run here, or undefined when they can (for `describe.skipIf` with a named reason). */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `no OpenSSH server at ${SSHD} (apt-get install openssh-server; .ci/run does)`;
  try {
    execFileSync("ssh", ["-V"], { stdio: "ignore" });
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "no OpenSSH client (apt-get install openssh-client)";
  }
  return undefined;
}

/** A real sshd on 127.0.0.1, running as the current user, with its own host key and authorized key. */
export interface SshServer {
  port: number;
  /** The folder holding its config, keys and log. */
  dir: string;
  /** The client key that the server accepts. */
  clientKey: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...`: the line a known_hosts file needs for this server. */
  knownHostsLine: string;
  user: string;
  pid: number;
  /** Stop the server (SIGTERM; existing sessions are cut, as when a host goes down). */
  kill(): Promise<void>;
  /** Cut the host off: the server and every session it runs die at once (SIGKILL), as when a Pi loses power. */
  drop(): Promise<void>;
  /** Stop it and remove its folder. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the server binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

function keygen(file: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "runbook-test", "-f", file], { stdio: "ignore" });
}

// sshd has started listening once a TCP client receives its "SSH-2.0-" banner.
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("data", (d) => done(String(d).startsWith("SSH-")));
    s.once("error", () => done(false));
    s.connect(port, "127.0.0.1");
  });
}

export async function startSshd(opts: { clientKey?: string } = {}): Promise<SshServer> {
  const dir = await mkdtemp(join(tmpdir(), "rb-sshd-"));
  keygen(join(dir, "host_key"));
  let clientKey = opts.clientKey;
  if (!clientKey) {
    clientKey = join(dir, "client_key");
    keygen(clientKey);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
  const port = await freePort();
  const user = userInfo().username;
  // Running as root, sshd insists on its privilege-separation folder (compiled in, not configurable).
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "UsePAM no",
      "StrictModes no",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "MaxSessions 50",
      "MaxStartups 50:30:100",
      "LogLevel ERROR",
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (d) => {
    log += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await banner(port)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.exitCode !== null || !(await banner(port))) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw new Error(`sshd did not start on port ${port}: ${log.trim()}`);
  }
  const hostPub = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Sessions outlive the listener: end them too, so no test leaves processes behind.
    for (const p of descendants(child.pid ?? 0)) {
      try {
        process.kill(p, "SIGTERM");
      } catch {
        // already gone
      }
    }
    child.kill("SIGTERM");
    await exited;
  };
  const drop = async () => {
    for (const p of descendants(child.pid ?? 0)) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child.kill("SIGKILL");
    await exited;
  };
  return {
    port,
    dir,
    clientKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPub}`,
    user,
    pid: child.pid ?? 0,
    kill,
    drop,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every process below `pid` (children first found by scanning /proc), for cutting a host's live sessions. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSyncSafe("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may contain spaces: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
