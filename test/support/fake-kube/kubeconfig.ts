import { writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { stringify } from "yaml";
import type { FakeKube } from "./server.js";

export interface KubeconfigContext {
  /** Context (and cluster and user) name. */
  name: string;
  server: FakeKube;
  namespace?: string;
  token?: string;
}

/** A kubeconfig whose contexts point at stand-in servers, carrying their CA like a real one. */
export function kubeconfigYaml(contexts: KubeconfigContext[], current = contexts[0]?.name): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": current,
    clusters: contexts.map((c) => ({
      name: c.name,
      cluster: { server: c.server.url, "certificate-authority-data": Buffer.from(c.server.ca).toString("base64") },
    })),
    users: contexts.map((c) => ({ name: c.name, user: { token: c.token ?? c.server.options.token ?? "fake-token" } })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) },
    })),
  });
}

export async function writeKubeconfig(path: string, contexts: KubeconfigContext[], current?: string): Promise<string> {
  await writeFile(path, kubeconfigYaml(contexts, current), { mode: 0o600 });
  return path;
}

/** A loopback port nothing listens on (it was free a moment ago): for "server unreachable" cases. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
