// Issue 16 item 9, through the engine: a k8s step that fails part-way reports what it applied
// (changed=true and the objects applied before the failure) in its result and register, and — as in
// Ansible, where a failed task never notifies, even when ignored or rescued — notifies no handler.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { type TestCluster, testCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.stop());

const PLAYBOOK = (kubeconfig: string) => `
tasks:
  - name: apply two ConfigMaps, the second invalid
    k8s:
      kubeconfig: ${kubeconfig}
      definition:
        - { apiVersion: v1, kind: ConfigMap, metadata: { name: good-one }, data: { a: "1" } }
        - { apiVersion: v1, kind: ConfigMap, metadata: { name: Not_Valid }, data: { a: "1" } }
    register: applied
    ignore_errors: true
    notify: restart
  - name: what the register holds
    assert:
      that:
        - applied.failed
        - applied.changed
        - size(applied.resources) == 1
        - applied.resources[0].name == "good-one"
        - applied.resources[0].action == "created"
handlers:
  - name: restart
    print: "handler ran: it must not"
`;

test("a k8s step failing part-way keeps changed and its resources, and notifies nothing", async () => {
  const file = join(c.dir, "playbook.yml");
  await writeFile(file, PLAYBOOK(c.kubeconfig));
  const events: RunEvent[] = [];
  const summary = await runPlaybook(file, { onEvent: (e) => events.push(e), env: { HOME: "/nonexistent-home" } });
  const ends = events.filter((e) => e.kind === "step-end");
  expect(ends.map((e) => e.status)).toEqual(["ignored", "ok"]);
  expect(ends[0]?.result).toMatchObject({ changed: true, failed: true, resources: [{ name: "good-one" }] });
  expect(events.some((e) => e.kind === "handler-notified")).toBe(false);
  expect(events.some((e) => e.kind === "step-start" && e.step.name === "restart")).toBe(false);
  expect(summary.status).toBe("ok");
  expect(c.kube.object("ConfigMap", "default", "good-one")).toBeDefined();
});
