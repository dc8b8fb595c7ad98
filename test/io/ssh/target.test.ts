import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { machine, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFacts } from "../../../src/engine/facts.js";
import { connectSshTarget, type SshHost, SshTransport } from "../../../src/engine/io/ssh/index.js";
import type { Target } from "../../../src/engine/target.js";
import { freePort, type SshServer, sshdMissing, startSshd, writeClientConfig } from "../../support/sshd/index.js";

const missing = sshdMissing();

describe.skipIf(missing !== undefined)(`an SSH host as a Target${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: SshServer;
  let dir: string;
  let ssh: SshTransport;
  let host: SshHost;
  let t: Target;

  beforeAll(async () => {
    server = await startSshd();
    dir = await mkdtemp(join(tmpdir(), "rb-target-"));
    ssh = new SshTransport({ configFile: writeClientConfig(dir, [server]) });
    host = { name: "h", address: "127.0.0.1", port: server.port };
    t = await connectSshTarget(ssh, host);
  });
  afterAll(async () => {
    await ssh?.close([host]);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("facts are the host's, gathered over the connection", () => {
    const facts = createFacts(t.facts);
    expect(facts.machine).toBe(machine());
    expect(facts.kernel).toBe(execFileSync("uname", ["-r"], { encoding: "utf8" }).trim());
    const osRelease = readFileSync("/etc/os-release", "utf8");
    expect(facts.distro.id).toBe(/^ID=(.*)$/m.exec(osRelease)?.[1]?.replace(/"/g, ""));
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memory_mb).toBeGreaterThan(0);
    expect(facts.os).toBe("linux");
  });

  it("stat, readFile and realpath see files, directories, links, and nothing", async () => {
    writeFileSync(join(dir, "f"), "bytes\n", { mode: 0o640 });
    mkdirSync(join(dir, "d"));
    symlinkSync("f", join(dir, "l"));
    expect(await t.fs.stat(join(dir, "f"))).toMatchObject({ type: "file", mode: 0o640, size: 6 });
    expect(await t.fs.stat(join(dir, "d"))).toMatchObject({ type: "directory" });
    expect(await t.fs.stat(join(dir, "l"))).toMatchObject({ type: "symlink" });
    expect(await t.fs.stat(join(dir, "none"))).toBeUndefined();
    expect((await t.fs.readFile(join(dir, "f")))?.toString()).toBe("bytes\n");
    expect(await t.fs.readFile(join(dir, "none"))).toBeUndefined();
    expect(await t.fs.realpath(join(dir, "l"))).toBe(join(dir, "f"));
    expect(await t.fs.readlink(join(dir, "l"))).toBe("f");
    expect(await t.fs.realpath(join(dir, "none"))).toBeUndefined();
  });

  it("a directory that cannot be read is an error, not a missing file", async () => {
    await expect(t.fs.readFile(join(dir, "d"))).rejects.toThrow(/cannot read/);
  });

  it("writes, mkdir, chmod, rename, touch and remove act on the host", async () => {
    const p = join(dir, "w", "x.txt");
    await t.fs.mkdir(join(dir, "w"), 0o750);
    expect(statSync(join(dir, "w")).mode & 0o777).toBe(0o750);
    await t.fs.writeFileAtomic(p, "one", 0o600);
    expect(readFileSync(p, "utf8")).toBe("one");
    await t.fs.chmod(p, 0o644);
    expect(statSync(p).mode & 0o777).toBe(0o644);
    await t.fs.rename(p, `${p}.2`);
    await t.fs.touch(join(dir, "w", "t"));
    expect(await t.fs.stat(join(dir, "w", "t"))).toMatchObject({ type: "file", size: 0 });
    await t.fs.remove(join(dir, "w"));
    expect(await t.fs.stat(join(dir, "w"))).toBeUndefined();
  });

  it("exec runs argv without a shell and shell lines through sh", async () => {
    const a = await t.exec.run({ argv: ["printf", "%s|", "a b", "$HOME"] });
    expect(a.stdout).toBe("a b|$HOME|");
    const s = await t.exec.run({ shell: "echo $((1+2))" });
    expect(s).toMatchObject({ rc: 0, stdout: "3", argv: ["/bin/sh", "-c", "echo $((1+2))"] });
  });

  it("wait_for probes run from the host", async () => {
    const ok = await t.probe.tcp("127.0.0.1", server.port, 2000, new AbortController().signal);
    expect(ok.ok).toBe(true);
    const closed = await t.probe.tcp("127.0.0.1", await freePort(), 2000, new AbortController().signal);
    expect(closed.ok).toBe(false);
  });
});
