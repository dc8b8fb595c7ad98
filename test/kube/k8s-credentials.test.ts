import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { forgetClients } from "../../src/engine/io/kube.js";
import { makeCertificate } from "../support/fake-kube/cert.js";
import type { FakeKube } from "../support/fake-kube/index.js";
import { failure, k8sInfo, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster({ token: "s3cret" });
});
afterAll(() => c.stop());

function kubeconfig(kube: FakeKube, user: Record<string, unknown>, ca = kube.ca) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "t",
    clusters: [
      { name: "t", cluster: { server: kube.url, "certificate-authority-data": Buffer.from(ca).toString("base64") } },
    ],
    users: [{ name: "t", user }],
    contexts: [{ name: "t", context: { cluster: "t", user: "t" } }],
  });
}

const read = (file: string, baseDir: string) =>
  k8sInfo({ kind: "Namespace", name: "default", kubeconfig: file }, makeCtx({ baseDir }));

describe("7: credentials as kubectl reads them", () => {
  test("a relative exec-plugin command is run from the kubeconfig's folder, not the working directory", async () => {
    const dir = join(c.dir, "exec-ok");
    await mkdir(join(dir, "bin"), { recursive: true });
    const cred = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "s3cret" },
    });
    await writeFile(join(dir, "bin/cred"), `#!/bin/sh\necho '${cred}'\n`);
    await chmod(join(dir, "bin/cred"), 0o755);
    const file = join(dir, "config");
    await writeFile(
      file,
      kubeconfig(c.kube, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "./bin/cred" } }),
    );
    // The step runs from elsewhere (process cwd is the repository).
    const result = await read(file, c.dir);
    expect((result.resources as unknown[]).length).toBe(1);
  });

  test("a failing exec plugin is named as such, not as an unreachable server", async () => {
    const dir = join(c.dir, "exec-bad");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "cred"), "#!/bin/sh\necho 'token expired, run login' >&2\nexit 1\n");
    await chmod(join(dir, "cred"), 0o755);
    const file = join(dir, "config");
    await writeFile(
      file,
      kubeconfig(c.kube, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "./cred" } }),
    );
    const err = await failure(read(file, c.dir));
    expect(err.message).toMatch(
      /exec credential plugin `.*\/exec-bad\/cred` \(user "t"\) failed: token expired, run login/,
    );
    expect(err.message).not.toContain("cannot reach");
  });

  test("tokenFile is read, relative to the kubeconfig's folder", async () => {
    const dir = join(c.dir, "token-file");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "token"), "s3cret\n");
    const file = join(dir, "config");
    await writeFile(file, kubeconfig(c.kube, { tokenFile: "token" }));
    const result = await read(file, c.dir);
    expect((result.resources as unknown[]).length).toBe(1);
    // And the stand-in does say no without it.
    await writeFile(join(dir, "none"), kubeconfig(c.kube, {}));
    expect((await failure(read(join(dir, "none"), c.dir))).message).toContain("HTTP 401");
  });
});

describe("auth providers go through the library's full KubeConfig", () => {
  test("an oidc user's unexpired id-token is sent as the bearer token", async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const idToken = `${b64({ alg: "none" })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    const oidc = await testCluster({ token: idToken });
    try {
      const file = join(oidc.dir, "oidc");
      const provider = { name: "oidc", config: { "id-token": idToken, "idp-issuer-url": "https://127.0.0.1:1" } };
      await writeFile(file, kubeconfig(oidc.kube, { "auth-provider": provider }));
      const result = await read(file, oidc.dir);
      expect((result.resources as unknown[]).length).toBe(1);
    } finally {
      await oidc.stop();
    }
  });
});

describe("12: a CA mismatch says so", () => {
  test("a kubeconfig whose CA did not sign the server's certificate: no --use-system-ca hint", async () => {
    forgetClients();
    // Another cluster's CA: a second throw-away certificate.
    const other = makeCertificate("other-ca").cert;
    const file = join(c.dir, "wrong-ca");
    await writeFile(file, kubeconfig(c.kube, { token: "s3cret" }, other));
    const [tcp, tls] = [c.kube.connections, c.kube.tlsConnections];
    const err = await failure(read(file, c.dir));
    // The stand-in saw the connection, and no handshake succeeded on it.
    expect(c.kube.connections).toBeGreaterThan(tcp);
    expect(c.kube.tlsConnections).toBe(tls);
    expect(err.message).not.toContain("use-system-ca");
    expect(err.message).toContain("its certificate is not trusted by the kubeconfig's certificate authority");
  });
});
