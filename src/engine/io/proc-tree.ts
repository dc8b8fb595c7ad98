import { readdirSync, readFileSync, readlinkSync } from "node:fs";

// Finding a step's processes after some of them left its process group (setsid, daemons), by /proc (Linux).

/** Every step process gets this variable; descendants inherit it, so they can be found after a setsid. */
export const TOKEN_VAR = "RUNBOOK_STEP_ID";

/** What is known about a running step's process, to find everything that belongs to it. */
export interface StepProcess {
  pid: number | undefined;
  /** The value of TOKEN_VAR in its environment. */
  token: string;
  /** The `socket:[inode]` of its stdout and stderr, read at start: whoever holds them keeps the step's pipes open. */
  pipes: string[];
  /** Whether it has not been reaped: once it has, its pid may belong to someone else. */
  alive(): boolean;
}

/** pids of processes, other than the group leader's group, that belong to this step: same token, holding its pipes, or descended from it. */
export function stragglers(l: StepProcess): number[] {
  if (process.platform !== "linux") return [];
  const found = new Set<number>();
  const parents = new Map<number, number>();
  const groups = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const needle = `${TOKEN_VAR}=${l.token}\0`;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(pid, Number(f[1]));
      groups.set(pid, Number(f[2]));
    } catch {
      continue;
    }
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").includes(needle)) {
        found.add(pid);
        continue;
      }
    } catch {
      // another user's process (e.g. root under become): not ours to read, nor to kill
    }
    if (l.pipes.length === 0) continue;
    try {
      for (const fd of readdirSync(`/proc/${name}/fd`)) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${name}/fd/${fd}`);
        } catch {
          continue;
        }
        if (l.pipes.includes(target)) {
          found.add(pid);
          break;
        }
      }
    } catch {
      // not readable
    }
  }
  // descendants of the step's process, whatever session they moved to; only while it is alive, since
  // once it has been reaped its pid may belong to someone else
  const root = l.pid;
  if (root !== undefined && l.alive()) {
    let grew = true;
    const tree = new Set([root]);
    while (grew) {
      grew = false;
      for (const [pid, ppid] of parents)
        if (tree.has(ppid) && !tree.has(pid)) {
          tree.add(pid);
          grew = true;
        }
    }
    for (const pid of tree) found.add(pid);
  }
  // the group itself is signalled as a group; only what left it is a straggler
  return [...found].filter((pid) => groups.get(pid) !== root);
}

/** The pipe identities of a process's stdout and stderr. */
export function pipeIds(pid: number | undefined): string[] {
  if (pid === undefined || process.platform !== "linux") return [];
  const ids: string[] = [];
  for (const fd of [1, 2]) {
    try {
      ids.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // already exited
    }
  }
  return ids;
}
