import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { failure, k8s, makeCtx, type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.stop());

// From Istio's samples: a YAML 1.2 reader stores 0400 as 400 (mode 0620) and `no` as the string "no".
const manifest = (mode: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: certs }
spec:
  selector: { matchLabels: { app: certs } }
  template:
    metadata: { labels: { app: certs } }
    spec:
      automountServiceAccountToken: no
      containers: [{ name: c, image: busybox }]
      volumes:
        - name: tls
          secret: { secretName: tls, defaultMode: ${mode} }
`;

describe("manifests are read as kubectl reads them (YAML 1.1 scalars)", () => {
  test("a src file: 0400 is octal, `no` is false, and the server accepts 0755", async () => {
    await writeFile(join(c.dir, "certs.yaml"), manifest("0755"));
    const result = await k8s({ src: "certs.yaml", kubeconfig: c.kubeconfig }, makeCtx({ baseDir: c.dir }));
    expect(result.changed).toBe(true);
    const spec = (
      c.kube.object("Deployment", "default", "certs")!.spec as { template: { spec: Record<string, unknown> } }
    ).template.spec;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect((spec.volumes as Array<{ secret: { defaultMode: number } }>)[0]?.secret.defaultMode).toBe(0o755);
  });

  test("an inline YAML string definition too; timestamps and 1:20 stay strings, as with kubectl", async () => {
    const definition = `${manifest("0400")}---
apiVersion: v1
kind: ConfigMap
metadata: { name: scalars }
data: { when: 2001-12-14, ratio: 1:20, flag: "yes" }
`;
    await k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx());
    const spec = (
      c.kube.object("Deployment", "default", "certs")!.spec as { template: { spec: Record<string, unknown> } }
    ).template.spec;
    expect((spec.volumes as Array<{ secret: { defaultMode: number } }>)[0]?.secret.defaultMode).toBe(256);
    expect(c.kube.object("ConfigMap", "default", "scalars")?.data).toEqual({
      when: "2001-12-14",
      ratio: "1:20",
      flag: "yes",
    });
  });

  test("the stand-in says no to what a YAML 1.2 reader would send", async () => {
    const definition = JSON.parse(
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "decimal" },
        spec: {
          selector: { matchLabels: { app: "d" } },
          template: {
            metadata: { labels: { app: "d" } },
            spec: { containers: [{ name: "c" }], volumes: [{ name: "v", secret: { defaultMode: 755 } }] },
          },
        },
      }),
    );
    const err = await failure(k8s({ definition, kubeconfig: c.kubeconfig }, makeCtx()));
    expect(err.message).toContain("spec.template.spec.volumes[0].secret.defaultMode: Invalid value: 755");
  });
});

describe("an inline definition mapping in the playbook reads as kubectl would read it", () => {
  test("0400 is 256 and `no` false inside it; quoted values and the rest of the playbook stay YAML 1.2", async () => {
    const file = join(c.dir, "inline.yml");
    await writeFile(
      file,
      `vars:
  count: 0400
tasks:
  - name: inline manifest
    k8s:
      kubeconfig: ${c.kubeconfig}
      definition:
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: inline }
        spec:
          selector: { matchLabels: { app: inline } }
          template:
            metadata: { labels: { app: inline } }
            spec:
              automountServiceAccountToken: no
              containers:
                - name: c
                  image: busybox
                  env: [{ name: MODE, value: "0400" }, { name: SIZE, value: "1_000" }]
              volumes:
                - { name: tls, secret: { secretName: tls, defaultMode: 0400 } }
                - { name: cfg, configMap: { name: cfg, defaultMode: 0755 } }
                - { name: dot, secret: { secretName: dot, defaultMode: 0o440 } }
  - assert:
      that: ["count == 400"]
`,
    );
    const { runPlaybook } = await import("../../src/api.js");
    const summary = await runPlaybook(file, { env: { HOME: "/nonexistent-home" } });
    expect(summary.status).toBe("ok");
    const spec = (
      c.kube.object("Deployment", "default", "inline")!.spec as { template: { spec: Record<string, unknown> } }
    ).template.spec;
    expect(spec.automountServiceAccountToken).toBe(false);
    const volumes = spec.volumes as Array<Record<string, { defaultMode: number }>>;
    expect(volumes[0]?.secret?.defaultMode).toBe(0o400);
    expect(volumes[1]?.configMap?.defaultMode).toBe(0o755);
    // YAML 1.2's own octal form keeps its value (kubectl would send a string the server rejects).
    expect(volumes[2]?.secret?.defaultMode).toBe(0o440);
    const env = (spec.containers as Array<{ env: unknown }>)[0]?.env;
    expect(env).toEqual([
      { name: "MODE", value: "0400" },
      { name: "SIZE", value: "1_000" },
    ]);
  });
});
