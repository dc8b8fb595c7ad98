import { type FileStat, type FsAdapter, tempPathFor } from "../fs.js";
import { sq } from "./quote.js";
import type { SshHost, SshTransport } from "./transport.js";

/** Become settings for file operations: writes go through `sudo -n` when set (Ansible's become on files). */
export interface FsBecome {
  become?: boolean | undefined;
  becomeUser?: string | undefined;
}

// Exit status the probes below use for "nothing there" (anything else non-zero is an error).
const MISSING = 3;

/**
 * An SSH host's file system through POSIX shell commands on the master connection: only sh, cat,
 * stat, mv, mkdir, ln and readlink are needed on the host (GNU or BusyBox coreutils).
 */
export function sshFs(ssh: SshTransport, host: SshHost, as: FsBecome = {}): FsAdapter {
  const run = async (script: string, what: string, path: string): Promise<{ rc: number; out: Buffer }> => {
    const r = await ssh.raw(host, script, { become: as.become, becomeUser: as.becomeUser });
    if (r.rc !== 0 && r.rc !== MISSING) throw new Error(`${what} ${path}: ${r.stderr.trim() || `exit ${r.rc}`}`);
    return r;
  };
  const exists = (p: string) => `{ [ -e ${sq(p)} ] || [ -L ${sq(p)} ]; } || exit ${MISSING}`;
  return {
    async readFile(path) {
      const r = await run(`${exists(path)}; cat -- ${sq(path)}`, "cannot read", path);
      return r.rc === MISSING ? undefined : r.out;
    },
    async stat(path) {
      const r = await run(`${exists(path)}; stat -c '%F|%a|%s|%Y' -- ${sq(path)}`, "cannot stat", path);
      if (r.rc === MISSING) return undefined;
      return parseStat(r.out.toString("utf8"));
    },
    async writeFileAtomic(path, data, mode) {
      await ssh.putFile(host, data, path, { mode: mode ?? 0o644, become: as.become, becomeUser: as.becomeUser });
    },
    async mkdir(path, mode) {
      const m = mode === undefined ? "" : ` -m ${mode.toString(8)}`;
      await run(`mkdir -p${m} -- ${sq(path)}`, "cannot create", path);
    },
    async remove(path) {
      await run(`rm -rf -- ${sq(path)}`, "cannot remove", path);
    },
    async symlink(target, path) {
      await run(`ln -s -- ${sq(target)} ${sq(path)}`, "cannot link", path);
    },
    async readlink(path) {
      const r = await ssh.raw(host, `readlink -- ${sq(path)}`, { become: as.become, becomeUser: as.becomeUser });
      return r.rc === 0 ? r.out.toString("utf8").replace(/\n$/, "") : undefined;
    },
    async realpath(path) {
      const r = await ssh.raw(host, `readlink -e -- ${sq(path)}`, { become: as.become, becomeUser: as.becomeUser });
      return r.rc === 0 ? r.out.toString("utf8").replace(/\n$/, "") : undefined;
    },
    async chmod(path, mode) {
      await run(`chmod ${mode.toString(8)} -- ${sq(path)}`, "cannot chmod", path);
    },
    async rename(from, to) {
      await run(`mv -f -- ${sq(from)} ${sq(to)}`, "cannot rename", from);
    },
    async touch(path) {
      await run(`touch -- ${sq(path)}`, "cannot touch", path);
    },
    tempPath: tempPathFor,
  };
}

/** `stat -c '%F|%a|%s|%Y'` → FileStat. */
export function parseStat(text: string): FileStat {
  const [kind = "", mode = "0", size = "0", mtime = "0"] = text.trim().split("|");
  const type = /regular/.test(kind)
    ? "file"
    : kind === "directory"
      ? "directory"
      : kind === "symbolic link"
        ? "symlink"
        : "other";
  return { type, mode: Number.parseInt(mode, 8), size: Number(size), mtimeMs: Number(mtime) * 1000 };
}
