import { describe, expect, test } from "vitest";
import { z } from "zod";
import { k8sAction } from "../../src/engine/actions/k8s.js";
import { k8sInfoAction } from "../../src/engine/actions/k8s_info.js";
import { parseDuration } from "../../src/engine/duration.js";
import { compactDiff } from "../../src/engine/io/kube/diff.js";
import { readiness } from "../../src/engine/io/kube/readiness.js";

describe("k8s helpers", () => {
  test("durations: units, compounds and plain seconds", () => {
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration(2.5)).toBe(2500);
    expect(() => parseDuration("5 minutes")).toThrow(/invalid duration/);
    expect(() => k8sAction.schema.parse({ src: "x.yaml", wait_timeout: "soon" })).toThrow(/invalid duration/);
  });

  test("every schema field is described, and the schemas export to JSON Schema", () => {
    for (const action of [k8sAction, k8sInfoAction]) {
      const json = z.toJSONSchema(action.schema, { io: "input" }) as {
        properties: Record<string, { description?: string }>;
      };
      const undescribed = Object.entries(json.properties).filter(([, p]) => !p.description);
      expect(undescribed.map(([k]) => k)).toEqual([]);
    }
  });

  test("a Secret's values stay out of the diff", () => {
    const before = { kind: "Secret", data: { password: "b2xk" }, metadata: { labels: { a: "1" } } };
    const after = { kind: "Secret", data: { password: "bmV3" }, metadata: { labels: { a: "2" } } };
    expect(compactDiff(before, after)).toEqual([
      "~ data.password: (hidden) → (hidden)",
      '~ metadata.labels.a: "1" → "2"',
    ]);
  });

  test("readiness: a Deployment with old replicas still around is not rolled out", () => {
    const dep = (status: Record<string, unknown>) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { generation: 2 },
      spec: { replicas: 2 },
      status: { observedGeneration: 2, ...status },
    });
    expect(readiness(dep({ replicas: 3, updatedReplicas: 2, readyReplicas: 3 }))).toEqual({
      ready: false,
      detail: "1 old replicas pending termination",
    });
    expect(readiness(dep({ replicas: 2, updatedReplicas: 2, readyReplicas: 2 })).detail).toBe(
      "0/2 updated replicas available",
    );
    expect(readiness(dep({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 })).ready).toBe(
      true,
    );
    expect(readiness({ ...dep({}), status: { observedGeneration: 1 } }).detail).toBe("generation 2 not observed yet");
  });
});
