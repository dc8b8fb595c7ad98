import { sq } from "./quote.js";

export interface RemoteCommand {
  cmd: string;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  become?: boolean | undefined;
  becomeUser?: string | undefined;
}

/**
 * What ssh runs on the target: a fixed wrapper that prints its pid (so an abort can kill the
 * process group), reads a length-prefixed prelude from stdin and evals it. The prelude exports the
 * env and `exec`s the command, so env values travel over stdin and never appear in `ps`; the
 * command's own stdin follows the prelude on the same stream.
 */
export const WRAPPER = `sh -c 'echo $$; read -r n; eval "$(dd bs=1 count=$n 2>/dev/null)"'`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function prelude(c: RemoteCommand): string {
  const lines: string[] = [];
  const names = Object.keys(c.env ?? {});
  for (const k of names) {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name \`${k}\``);
    lines.push(`export ${k}=${sq(c.env![k]!)}`);
  }
  if (c.cwd !== undefined) lines.push(`cd ${sq(c.cwd)} || exit 1`);
  let run = `sh -c ${sq(c.cmd)}`;
  if (c.become) {
    // sudo resets the environment: keep the step's variables by name only.
    const keep = names.length ? ` --preserve-env=${names.join(",")}` : "";
    run = `sudo -n${c.becomeUser ? ` -u ${sq(c.becomeUser)}` : ""}${keep} ${run}`;
  }
  lines.push(`exec ${run}`);
  return `${lines.join("\n")}\n`;
}

/** The stdin that opens every exec: the prelude's byte length on a line, then the prelude. */
export function framedPrelude(c: RemoteCommand): Buffer {
  const body = Buffer.from(prelude(c));
  return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}

/**
 * Kill the process group of `pid` (sshd starts each session in its own session and group, so the
 * group is the command and everything it started), TERM then KILL; the pid alone where ps is missing.
 * `kill -s SIG -- -PGID` is the spelling dash accepts (`kill -TERM -- -PGID` is "Illegal number").
 */
export function killScript(pid: number, signal: "TERM" | "KILL"): string {
  return `g=$(ps -o pgid= -p ${pid} 2>/dev/null | tr -d ' '); kill -s ${signal} -- -\${g:-${pid}} 2>/dev/null || kill -s ${signal} ${pid} 2>/dev/null; true`;
}

/**
 * Write stdin to `dest` atomically: a temp file in the same folder, chmod, then rename over. A dropped
 * connection looks like EOF to `cat`, so the byte count is checked before the rename.
 */
export function putScript(dest: string, mode: number, size: number): string {
  const m = mode.toString(8).padStart(4, "0");
  return [
    `d=$(dirname ${sq(dest)})`,
    `t=$(mktemp "$d/.runbook-XXXXXX") || exit 1`,
    `trap 'rm -f "$t"' EXIT`,
    `cat > "$t" || exit 1`,
    `n=$(wc -c < "$t"); [ "$n" -eq ${size} ] || { echo "short write: $n of ${size} bytes" >&2; exit 1; }`,
    `chmod ${m} "$t" && mv -f "$t" ${sq(dest)} && trap - EXIT`,
  ].join("\n");
}
