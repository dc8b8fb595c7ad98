import { z } from "zod";
import { type ActionContext, ActionFailure, defineAction } from "./types.js";
import { type HostCommand, hostRun, nameList, pause } from "./util/host-cmd.js";
import { formatArgv } from "./util/shellwords.js";

const packageSchema = z.strictObject({
  name: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe("Package name, a list of them (or a comma list); `name=version` pins a version with apt"),
  state: z
    .enum(["present", "installed", "absent", "removed", "latest"])
    .default("present")
    .describe("present (default): installed if missing; absent: removed if installed; latest: upgraded"),
  update_cache: z.boolean().default(false).describe("Refresh the package lists first (apt-get update / dnf makecache)"),
  cache_valid_time: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("apt: skip update_cache when the lists are younger than this many seconds"),
  lock_timeout: z
    .number()
    .min(0)
    .default(60)
    .describe("apt: seconds to retry while another apt/dpkg holds the lock (as Ansible's apt)"),
  use: z
    .enum(["auto", "apt", "dnf"])
    .default("auto")
    .describe("The package manager: auto (default) finds apt-get or dnf"),
});
type PackageArgs = z.infer<typeof packageSchema>;

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive" };
// As Ansible's apt: keep changed config files and never ask (no --no-install-recommends unless asked).
const APT_OPTS = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"];
const LOCKED =
  /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory/;
const APT_ZERO = /(^|\n)0 upgraded, 0 newly installed, 0 to remove/;

type Manager = "apt" | "dnf";
interface Installed {
  installed: boolean;
  version?: string | undefined;
}

async function manager(ctx: ActionContext, use: PackageArgs["use"]): Promise<Manager> {
  if (use !== "auto") return use;
  const r = await ctx.exec.run({
    shell: "command -v apt-get >/dev/null 2>&1 && echo apt || { command -v dnf >/dev/null 2>&1 && echo dnf; }",
    env: ctx.env,
    signal: ctx.signal,
  });
  const m = r.stdout.trim();
  if (m === "apt" || m === "dnf") return m;
  throw new ActionFailure("package: neither apt-get nor dnf found on the target (set `use:`)");
}

const baseName = (n: string) => n.split("=")[0]!.split(":")[0]!;

/** dpkg-query for every name at once: it prints only the known ones (exit 1 and "no packages found" for the rest). */
async function queryApt(ctx: ActionContext, names: string[], log?: HostCommand[]): Promise<Map<string, Installed>> {
  // dpkg-query expands ${Package}-style fields itself.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format, not a template
  const r = await hostRun(ctx, ["dpkg-query", "-W", "-f=${Package} ${Status} ${Version}\\n", ...names.map(baseName)], {
    log,
  });
  if (r.rc > 1) throw new ActionFailure(`dpkg-query failed (rc ${r.rc}): ${r.stderr}`);
  const seen = new Map<string, Installed>();
  for (const line of r.stdout.split("\n")) {
    const [pkg, , , status, version] = line.trim().split(/\s+/);
    if (pkg) seen.set(pkg, { installed: status === "installed", version });
  }
  const out = new Map<string, Installed>();
  for (const n of names) {
    const s = seen.get(baseName(n)) ?? { installed: false };
    const want = n.includes("=") ? n.slice(n.indexOf("=") + 1) : undefined;
    out.set(n, { installed: s.installed && (want === undefined || s.version === want), version: s.version });
  }
  return out;
}

/** rpm -q prints a line per name, in order: `package X is not installed` for the missing ones. */
async function queryRpm(ctx: ActionContext, names: string[], log?: HostCommand[]): Promise<Map<string, Installed>> {
  const r = await hostRun(ctx, ["rpm", "-q", ...names], { log });
  const lines = r.stdout.split("\n");
  return new Map(names.map((n, i) => [n, { installed: !/is not installed/.test(lines[i] ?? "is not installed") }]));
}

interface Change {
  mgr: Manager;
  /** The packages that change, with the command that changes them; `latest` always runs. */
  pkgs: string[];
  argv?: string[] | undefined;
}

function decide(mgr: Manager, state: PackageArgs["state"], found: Map<string, Installed>): Change {
  const names = [...found.keys()];
  if (state === "absent" || state === "removed") {
    const pkgs = names.filter((n) => found.get(n)!.installed).map(baseName);
    const argv = mgr === "apt" ? ["apt-get", "remove", "-y", ...pkgs] : ["dnf", "remove", "-y", ...pkgs];
    return { mgr, pkgs, argv: pkgs.length ? argv : undefined };
  }
  const pkgs = state === "latest" ? names : names.filter((n) => !found.get(n)!.installed);
  const argv = mgr === "apt" ? ["apt-get", "install", "-y", ...APT_OPTS, ...pkgs] : ["dnf", "install", "-y", ...pkgs];
  return { mgr, pkgs, argv: pkgs.length ? argv : undefined };
}

/** apt-get, retried while another apt or dpkg holds the lock, for up to lock_timeout seconds. */
async function apt(ctx: ActionContext, argv: string[], args: PackageArgs, log: HostCommand[]) {
  const until = Date.now() + args.lock_timeout * 1000;
  for (;;) {
    const r = await hostRun(ctx, argv, { change: true, env: APT_ENV, log });
    if (r.rc === 0 || !LOCKED.test(r.stderr) || Date.now() >= until || r.interrupted || r.timedOut) return r;
    ctx.progress(`waiting for the dpkg lock: ${r.stderr.split("\n")[0]}`);
    await pause(Math.min(1000, Math.max(0, until - Date.now())), ctx.signal);
  }
}

async function cacheFresh(ctx: ActionContext, validTime: number | undefined): Promise<boolean> {
  if (!validTime) return false;
  // Ansible's apt reads the same stamp apt's periodic update leaves, then the lists folder.
  const r = await ctx.exec.run({
    shell:
      "t=$(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/lib/apt/lists 2>/dev/null) && echo $(( $(date +%s) - t ))",
    env: ctx.env,
    signal: ctx.signal,
  });
  const age = Number(r.stdout.trim());
  return r.rc === 0 && r.stdout.trim() !== "" && age >= 0 && age < validTime;
}

export const packageAction = defineAction({
  name: "package",
  description:
    "Install, upgrade or remove OS packages with apt or dnf, querying dpkg/rpm first (examples: docs/host-actions.md)",
  schema: packageSchema,
  async run(args, ctx) {
    const names = args.name === undefined ? [] : nameList(args.name);
    if (!names.length && !args.update_cache) throw new ActionFailure("package: give `name` or `update_cache: true`");
    const mgr = await manager(ctx, args.use);
    const log: HostCommand[] = [];
    let cacheUpdated = false;
    if (args.update_cache && !(mgr === "apt" && (await cacheFresh(ctx, args.cache_valid_time)))) {
      const argv = mgr === "apt" ? ["apt-get", "update"] : ["dnf", "makecache"];
      const r = mgr === "apt" ? await apt(ctx, argv, args, log) : await hostRun(ctx, argv, { change: true, log });
      if (r.rc !== 0)
        throw new ActionFailure(`${formatArgv(argv)} failed: ${r.stderr || `rc ${r.rc}`}`, { rc: r.rc, commands: log });
      cacheUpdated = true;
    }
    if (!names.length) return { changed: cacheUpdated, cache_updated: cacheUpdated, commands: log, packages: [] };
    const found = mgr === "apt" ? await queryApt(ctx, names, log) : await queryRpm(ctx, names, log);
    const c = decide(mgr, args.state, found);
    if (!c.argv) return { changed: false, cache_updated: cacheUpdated, packages: [], commands: log, msg: "" };
    const r = mgr === "apt" ? await apt(ctx, c.argv, args, log) : await hostRun(ctx, c.argv, { change: true, log });
    if (r.rc !== 0)
      throw new ActionFailure(`${formatArgv(c.argv)} failed (rc ${r.rc}): ${r.stderr.trim() || r.stdout.trim()}`, {
        rc: r.rc,
        stdout: r.stdout,
        stderr: r.stderr,
        commands: log,
      });
    // latest runs the install for every name: only the package manager's own summary says whether anything moved.
    const changed =
      args.state !== "latest" ? true : mgr === "apt" ? !APT_ZERO.test(r.stdout) : !/Nothing to do/.test(r.stdout);
    return { changed, cache_updated: cacheUpdated, packages: changed ? c.pkgs : [], commands: log, stdout: r.stdout };
  },
  async plan(args, ctx) {
    const names = args.name === undefined ? [] : nameList(args.name);
    const verb =
      args.state === "absent" || args.state === "removed" ? "remove" : args.state === "latest" ? "upgrade" : "install";
    const pre = args.update_cache ? "update the package cache, then " : "";
    let mgr: Manager;
    let found: Map<string, Installed>;
    try {
      mgr = await manager(ctx, args.use);
      found = mgr === "apt" ? await queryApt(ctx, names) : await queryRpm(ctx, names);
    } catch {
      // The read-only query could not run (no dpkg/rpm yet, host not reachable in plan): say what is conditional.
      return { summary: `${pre}${verb} ${names.join(", ")} if needed`, willChange: args.update_cache || undefined };
    }
    if (!names.length)
      return {
        summary: "update the package cache",
        willChange: true,
        command: mgr === "apt" ? "apt-get update" : "dnf makecache",
      };
    const c = decide(mgr, args.state, found);
    const data = { manager: mgr, packages: c.pkgs };
    if (!c.argv)
      return {
        summary: `${pre}packages already ${verb === "remove" ? "absent" : "installed"}: ${names.join(", ")}`,
        willChange: args.update_cache,
        data,
      };
    return {
      summary: `${pre}${verb} ${c.pkgs.join(", ")}`,
      command: formatArgv(c.argv),
      willChange: args.state === "latest" ? undefined : true,
      details: c.pkgs.map((p) => `${verb} ${p}${found.get(p)?.version ? ` (now ${found.get(p)!.version})` : ""}`),
      data,
    };
  },
});
