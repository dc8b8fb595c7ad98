import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { KubeError } from "./errors.js";

type Opts = Record<string, unknown> & { host?: string; port?: number | string; servername?: string };
type Done = (err: Error | null, socket?: Socket | TLSSocket) => void;

/**
 * A cluster's `proxy-url`, as client-go uses it: an http:// or https:// proxy reached with CONNECT, through
 * which the TLS connection to the API server runs (keep-alive pools as without a proxy). client-go also
 * speaks socks5; runbook does not, and says so instead of going around the proxy.
 */
export function proxyAgent(proxyUrl: string, target: URL, opts: Record<string, unknown>): HttpAgent {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    throw new KubeError("config", `the kubeconfig's proxy-url ${JSON.stringify(proxyUrl)} is not a URL`);
  }
  if (proxy.protocol !== "http:" && proxy.protocol !== "https:")
    throw new KubeError(
      "config",
      `the kubeconfig's proxy-url ${proxy.protocol}//${proxy.host} is not supported: runbook reaches the API server through http:// or https:// proxies only (kubectl also speaks socks5)`,
    );
  const auth = proxy.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`
    : undefined;
  const tunnel = (options: Opts, done: Done, wrap: (s: Socket) => Socket | TLSSocket) => {
    const send = proxy.protocol === "https:" ? httpsRequest : httpRequest;
    const where = `${options.host}:${options.port}`;
    const req = send({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: where,
      headers: { host: where, ...(auth ? { "proxy-authorization": auth } : {}) },
      agent: false,
    });
    req.once("connect", (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(new Error(`proxy ${proxy.host} refused CONNECT ${where}: ${res.statusCode} ${res.statusMessage ?? ""}`));
        return;
      }
      done(null, wrap(socket));
    });
    req.once("error", (e) => done(new Error(`proxy ${proxy.host}: ${e.message}`, { cause: e })));
    req.end();
  };
  const agentOpts = { keepAlive: true, maxSockets: 10, ...opts };
  if (target.protocol === "http:") {
    const agent = new HttpAgent(agentOpts);
    (agent as unknown as { createConnection: unknown }).createConnection = (o: Opts, done: Done) =>
      tunnel(o, done, (s) => s);
    return agent;
  }
  const agent = new HttpsAgent(agentOpts);
  // Node's agent accepts a socket handed to the callback later (createConnection returns nothing).
  (agent as unknown as { createConnection: unknown }).createConnection = (o: Opts, done: Done) =>
    tunnel(o, done, (socket) =>
      tlsConnect({ ...o, socket, servername: o.servername ?? String(o.host) } as ConnectionOptions),
    );
  return agent;
}
