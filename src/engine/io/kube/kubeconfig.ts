import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
// The library's own kubeconfig field mapping and exec-plugin protocol, without its entry module: that one
// loads the whole generated API client (~0.5 s of start-up), which runbook never uses.
import {
  type Cluster,
  type Context,
  newClusters,
  newContexts,
  newUsers,
  type User,
} from "@kubernetes/client-node/dist/config_types.js";
import { ExecAuth } from "@kubernetes/client-node/dist/exec_auth.js";
import { parse } from "yaml";

export type { Cluster, Context, User };

/** What runbook passes to the TLS agent and puts on every request. */
export interface HttpsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  auth?: string;
  headers?: Record<string, string>;
}

const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  file ? readFileSync(file) : data ? Buffer.from(data, "base64") : undefined;

/**
 * A kubeconfig, read as @kubernetes/client-node's KubeConfig reads it (same field mapping, same exec-plugin
 * runner, same TLS and header rules in `applyToHTTPSOptions`). Users with an `auth-provider` (oidc, gcp,
 * azure) are handed to the library's full KubeConfig, loaded only then.
 */
export class Kubeconfig {
  clusters: Cluster[] = [];
  contexts: Context[] = [];
  users: User[] = [];
  currentContext = "";
  private readonly exec = new ExecAuth();

  loadFromString(text: string): void {
    const obj = (parse(text) ?? {}) as Record<string, unknown>;
    if (typeof obj !== "object" || Array.isArray(obj)) throw new Error("a kubeconfig is a YAML mapping");
    this.clusters = newClusters(obj.clusters);
    this.contexts = newContexts(obj.contexts);
    this.users = newUsers(obj.users);
    this.currentContext = typeof obj["current-context"] === "string" ? obj["current-context"] : "";
  }

  loadFromOptions(o: { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string }): void {
    Object.assign(this, o);
  }

  makePathsAbsolute(dir: string): void {
    const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
    for (const c of this.clusters) if (c.caFile) c.caFile = abs(c.caFile);
    for (const u of this.users) {
      if (u.certFile) u.certFile = abs(u.certFile);
      if (u.keyFile) u.keyFile = abs(u.keyFile);
    }
  }

  getClusters = () => this.clusters;
  getUsers = () => this.users;
  getContexts = () => this.contexts;
  getCurrentContext = () => this.currentContext;
  setCurrentContext(name: string): void {
    this.currentContext = name;
  }
  getContextObject(name: string): Context | undefined {
    return this.contexts.find((c) => c.name === name);
  }
  getCurrentCluster(): Cluster | undefined {
    const ctx = this.getContextObject(this.currentContext);
    return ctx && this.clusters.find((c) => c.name === ctx.cluster);
  }
  getCurrentUser(): User | undefined {
    const ctx = this.getContextObject(this.currentContext);
    return ctx && this.users.find((u) => u.name === ctx.user);
  }

  /** TLS material and credentials for the current context, as KubeConfig.applyToHTTPSOptions gives them. */
  async applyToHTTPSOptions(opts: HttpsOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (!user) return;
    if (user.authProvider) return this.viaLibrary(opts);
    if (cluster?.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster?.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = cluster && fileOrData(cluster.caFile, cluster.caData);
    if (ca) opts.ca = ca;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) opts.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) opts.key = key;
    opts.headers ??= {};
    if (user.impersonateUser) opts.headers["Impersonate-User"] = user.impersonateUser;
    if (this.exec.isAuthProvider(user)) await this.exec.applyAuthentication(user, opts as never);
    if (user.token) opts.headers.Authorization = `Bearer ${user.token}`;
    if (user.username) opts.auth = `${user.username}:${user.password}`;
  }

  private library: Promise<{ applyToHTTPSOptions(o: unknown): Promise<void> }> | undefined;
  private async viaLibrary(opts: HttpsOptions): Promise<void> {
    this.library ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: this.clusters,
        users: this.users,
        contexts: this.contexts,
        currentContext: this.currentContext,
      });
      return kc;
    });
    await (await this.library).applyToHTTPSOptions(opts);
  }
}
