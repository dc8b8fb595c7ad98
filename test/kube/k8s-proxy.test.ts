import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { failure, k8sInfo, makeCtx, type TestCluster, testCluster } from "./helpers.js";

// A kubeconfig cluster's `proxy-url` is honoured (CONNECT through an http proxy) or refused by name: never
// silently bypassed, which would send a cluster's traffic around the proxy a network requires.
let c: TestCluster;
let proxy: Server;
let proxyUrl = "";
const tunnels: string[] = [];
beforeAll(async () => {
  c = await testCluster();
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req, client) => {
    tunnels.push(`${req.url} ${req.headers["proxy-authorization"] ?? ""}`.trim());
    const [host, port] = String(req.url).split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  await c.stop();
});

async function kubeconfigVia(name: string, proxyUrlValue: string) {
  const file = join(c.dir, name);
  await writeFile(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "t",
      clusters: [
        {
          name: "t",
          cluster: {
            server: c.kube.url,
            "certificate-authority-data": Buffer.from(c.kube.ca).toString("base64"),
            "proxy-url": proxyUrlValue,
          },
        },
      ],
      users: [{ name: "t", user: {} }],
      contexts: [{ name: "t", context: { cluster: "t", user: "t" } }],
    }),
  );
  return file;
}

describe("proxy-url in the kubeconfig", () => {
  test("requests go through the proxy (CONNECT to the API server, credentials for the proxy)", async () => {
    const file = await kubeconfigVia("via-proxy", proxyUrl.replace("http://", "http://me:pw@"));
    const result = await k8sInfo({ kind: "Namespace", name: "default", kubeconfig: file }, makeCtx());
    expect((result.resources as unknown[]).length).toBe(1);
    const where = new URL(c.kube.url).host;
    expect(tunnels).toContain(`${where} Basic ${Buffer.from("me:pw").toString("base64")}`);
  });

  test("a socks5 proxy is refused by name, not bypassed", async () => {
    const before = c.kube.requests.length;
    const file = await kubeconfigVia("via-socks", "socks5://127.0.0.1:1080");
    const err = await failure(k8sInfo({ kind: "Namespace", name: "default", kubeconfig: file }, makeCtx()));
    expect(err.message).toContain("proxy-url socks5://127.0.0.1:1080 is not supported");
    expect(c.kube.requests.length).toBe(before);
  });
});
