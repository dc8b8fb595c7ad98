import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUnreachable, type SshHost, SshTransport } from "../../../src/engine/io/ssh/index.js";
import { freePort, type SshServer, sshdMissing, startSshd, writeClientConfig } from "../../support/sshd/index.js";

const missing = sshdMissing();

// A process is gone once signal 0 fails; the kill is asynchronous, so allow it a moment.
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((res) => setTimeout(res, 30));
  }
  return false;
}

describe.skipIf(missing !== undefined)(
  `ssh transport against a real sshd${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let server: SshServer;
    let dir: string;
    let ssh: SshTransport;
    let host: SshHost;

    beforeAll(async () => {
      server = await startSshd();
      dir = await mkdtemp(join(tmpdir(), "rb-ssh-client-"));
      ssh = new SshTransport({ configFile: writeClientConfig(dir, [server]) });
      host = { name: "h1", address: "127.0.0.1", port: server.port };
    });
    afterAll(async () => {
      await ssh?.close([host]);
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it("runs a command: stdout, stderr and the exit code apart", async () => {
      const r = await ssh.exec(host, "echo out; echo err >&2; exit 3");
      expect(r).toMatchObject({ rc: 3, stdout: "out", stderr: "err", timedOut: false, interrupted: false });
    });

    it("streams output as it arrives", async () => {
      const chunks: string[] = [];
      const r = await ssh.exec(host, "printf a; sleep 0.3; printf b >&2", {
        onOutput: (s, c) => chunks.push(`${s}:${c}`),
      });
      expect(r.rc).toBe(0);
      expect(chunks).toEqual(["stdout:a", "stderr:b"]);
    });

    it("passes env over stdin, never on a command line, and honours cwd", async () => {
      const secret = `s3cr3t-${process.pid}`;
      const r = await ssh.exec(host, `echo "$TOKEN"; pwd; ps -eo args | grep -c "${secret.slice(0, 5)}[r]"`, {
        env: { TOKEN: secret },
        cwd: "/tmp",
      });
      expect(r.stdout.split("\n")).toEqual([secret, "/tmp", "0"]);
    });

    it("feeds the command's stdin after the prelude", async () => {
      const r = await ssh.exec(host, "tr a-z A-Z", { stdin: "hello\n" });
      expect(r.stdout).toBe("HELLO");
    });

    it("a missing cwd fails the command without running it", async () => {
      const r = await ssh.exec(host, "echo ran", { cwd: "/no/such/dir" });
      expect(r.rc).not.toBe(0);
      expect(r.stdout).toBe("");
    });

    it("become runs through sudo -n as become_user, keeping the step's env by name", async () => {
      const r = await ssh.exec(host, 'id -un; echo "$K"', { become: true, becomeUser: "nobody", env: { K: "v" } });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("nobody\nv");
    });

    it("a timeout kills the remote process group, background children too", async () => {
      const pidFile = join(dir, "background.pid");
      const r = await ssh.exec(host, `sleep 30 & echo $! > ${pidFile}; sleep 30`, { timeoutMs: 300 });
      expect(r.timedOut).toBe(true);
      expect(r.rc).not.toBe(0);
      expect(await gone(Number(readFileSync(pidFile, "utf8")))).toBe(true);
    });

    it("an abort kills the remote command", async () => {
      const ac = new AbortController();
      const pidFile = join(dir, "aborted.pid");
      const p = ssh.exec(host, `echo $$ > ${pidFile}; sleep 30`, { signal: ac.signal });
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((res) => setTimeout(res, 20));
      ac.abort();
      const r = await p;
      expect(r.interrupted).toBe(true);
      expect(await gone(Number(readFileSync(pidFile, "utf8")))).toBe(true);
    });

    it("putFile writes atomically with the mode; getFile reads it back", async () => {
      const dest = join(dir, "put.txt");
      await ssh.putFile(host, "line 1\n", dest, { mode: 0o600 });
      expect(readFileSync(dest, "utf8")).toBe("line 1\n");
      expect(statSync(dest).mode & 0o777).toBe(0o600);
      const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
      await ssh.putFile(host, bytes, dest, { mode: 0o640 });
      expect((await ssh.getFile(host, dest)).equals(bytes)).toBe(true);
      expect(statSync(dest).mode & 0o777).toBe(0o640);
    });

    it("putFile into a missing folder fails and leaves no temp file", async () => {
      await expect(ssh.putFile(host, "x", join(dir, "nope", "f"))).rejects.toThrow(/cannot write/);
      const dest = join(dir, "kept.txt");
      await ssh.putFile(host, "old", dest);
      // A write cut short (the source stream fails) keeps the old file and leaves no temp file.
      const failing = new Readable({
        read() {
          this.destroy(new Error("source failed"));
        },
      });
      await expect(ssh.putFile(host, failing, dest, { size: 100 })).rejects.toThrow();
      expect(readFileSync(dest, "utf8")).toBe("old");
      expect(readdirSync(dir).filter((f) => f.startsWith(".runbook-"))).toEqual([]);
    });

    it("a closed port is unreachable, not a failed command", async () => {
      const port = await freePort();
      const down: SshHost = { name: "down", address: "127.0.0.1", port };
      const e = await ssh.exec(down, "true").catch((x: unknown) => x);
      expect(isUnreachable(e)).toBe(true);
      expect(String(e)).toMatch(/down: unreachable: .*(refused|closed)/i);
    });

    it("an unknown host key is unreachable, never silently accepted", async () => {
      const other = await mkdtemp(join(tmpdir(), "rb-ssh-nokey-"));
      // Same client key, but a known_hosts that does not list this server.
      const cfg = writeClientConfig(other, [{ ...server, knownHostsLine: "" }]);
      const strict = new SshTransport({ configFile: cfg });
      const h: SshHost = { name: "stranger", address: "127.0.0.1", port: server.port };
      try {
        const e = await strict.exec(h, "true").catch((x: unknown) => x);
        expect(isUnreachable(e)).toBe(true);
        expect(String(e)).toMatch(/Host key verification failed/);
        expect(readFileSync(join(other, "known_hosts"), "utf8").trim()).toBe("");
      } finally {
        await strict.close([h]);
        await rm(other, { recursive: true, force: true });
      }
    });

    it("a command that exits 255 is the command's status, not unreachable", async () => {
      const r = await ssh.exec(host, "exit 255");
      expect(r.rc).toBe(255);
    });
  },
);
