import { createHash } from "node:crypto";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { KubeError } from "./errors.js";
import { type Cluster, type Context, Kubeconfig, type User } from "./kubeconfig.js";

/** How to reach a kubeconfig: through the step's file system adapter and environment. */
export interface KubeEnv {
  readFile(path: string): Promise<string | undefined>;
  processEnv: Record<string, string | undefined>;
  baseDir: string;
}

/** Which cluster a step talks to. */
export interface KubeTarget {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

export interface LoadedConfig {
  kc: Kubeconfig;
  context: string;
  server: string;
  /** Identifies files + content + context: the client cache key. */
  key: string;
}

function candidates(target: KubeTarget, env: KubeEnv): { files: string[]; explicit: boolean } {
  const home = env.processEnv.HOME ?? "";
  const expand = (p: string) => (p.startsWith("~/") ? `${home}${p.slice(1)}` : p);
  if (target.kubeconfig) {
    const p = expand(target.kubeconfig);
    return { files: [isAbsolute(p) ? p : resolve(env.baseDir, p)], explicit: true };
  }
  const fromEnv = env.processEnv.KUBECONFIG?.split(":").filter(Boolean);
  return { files: fromEnv?.length ? fromEnv.map(expand) : [`${home}/.kube/config`], explicit: false };
}

// Several files (KUBECONFIG=a:b) merge as kubectl merges them: the first definition of a name wins.
function merge(configs: Kubeconfig[]): Kubeconfig {
  const first = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const kc = new Kubeconfig();
  kc.loadFromOptions({
    clusters: first<Cluster>(configs.map((c) => c.getClusters())),
    users: first<User>(configs.map((c) => c.getUsers())),
    contexts: first<Context>(configs.map((c) => c.getContexts())),
    currentContext: configs.map((c) => c.getCurrentContext()).find(Boolean) ?? "",
  });
  return kc;
}

/**
 * What client-go does and @kubernetes/client-node does not: an exec plugin's `command` with a path separator
 * is relative to the kubeconfig's folder (a bare name is looked up on PATH), and a user's `tokenFile` is
 * read (relative to the folder too) when it has no `token`. Returns the tokens read, for the cache key.
 */
async function resolveUserPaths(kc: Kubeconfig, text: string, dir: string, env: KubeEnv): Promise<string> {
  let raw: { users?: Array<{ name?: string; user?: { tokenFile?: unknown; token?: unknown } }> } | undefined;
  try {
    raw = parseYaml(text) as typeof raw;
  } catch {
    raw = undefined;
  }
  let tokens = "";
  for (const user of kc.users) {
    const exec = user.exec as { command?: string } | undefined;
    if (exec?.command && exec.command.includes("/") && !isAbsolute(exec.command))
      exec.command = resolve(dir, exec.command);
    const entry = raw?.users?.find((u) => u.name === user.name)?.user;
    if (user.token || typeof entry?.tokenFile !== "string") continue;
    const path = isAbsolute(entry.tokenFile) ? entry.tokenFile : resolve(dir, entry.tokenFile);
    const token = await env.readFile(path);
    if (token === undefined)
      throw new KubeError("config", `user "${user.name}" names tokenFile ${path}, which does not exist`);
    (user as { token?: string }).token = token.trim();
    tokens += token;
  }
  return tokens;
}

/** Read the kubeconfig(s) and select the context; errors name the files and the known contexts. */
export async function loadKubeconfig(target: KubeTarget, env: KubeEnv): Promise<LoadedConfig> {
  const { files, explicit } = candidates(target, env);
  const loaded: Kubeconfig[] = [];
  const hash = createHash("sha256");
  for (const file of files) {
    const text = await env.readFile(file);
    if (text === undefined) {
      if (explicit) throw new KubeError("config", `kubeconfig ${file} not found`);
      continue;
    }
    const kc = new Kubeconfig();
    try {
      kc.loadFromString(text);
    } catch (e) {
      throw new KubeError("config", `kubeconfig ${file} is not valid: ${(e as Error).message}`, { cause: e });
    }
    kc.makePathsAbsolute(dirname(file));
    const tokens = await resolveUserPaths(kc, text, dirname(file), env);
    loaded.push(kc);
    hash.update(file).update("\0").update(text).update("\0").update(tokens).update("\0");
  }
  if (loaded.length === 0) {
    throw new KubeError(
      "config",
      `no kubeconfig found (looked at ${files.join(", ")}); set \`kubeconfig:\` on the step or the KUBECONFIG variable`,
    );
  }
  const kc = loaded.length === 1 ? loaded[0]! : merge(loaded);
  const known = kc.getContexts().map((c) => c.name);
  const context = target.context ?? kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    const what = context ? `context "${context}" is not in` : "no current-context set in";
    throw new KubeError("config", `${what} ${files.join(":")}; known contexts: ${known.join(", ") || "(none)"}`);
  }
  kc.setCurrentContext(context);
  const server = kc.getCurrentCluster()?.server;
  if (!server)
    throw new KubeError("config", `context "${context}" names no cluster with a server in ${files.join(":")}`);
  return { kc, context, server, key: `${hash.digest("hex")}\0${context}` };
}
