import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { k8sAction } from "../../src/engine/actions/k8s.js";
import { k8sInfoAction } from "../../src/engine/actions/k8s_info.js";
import type { ActionContext, ActionResult, PlanInfo } from "../../src/engine/actions/types.js";
import { testContext } from "../support/action-context.js";
import { type FakeKube, type FakeKubeOptions, startFakeKube, writeKubeconfig } from "../support/fake-kube/index.js";

export interface TestCluster {
  kube: FakeKube;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

/** One stand-in API server and a kubeconfig (context "test") pointing at it. */
export async function testCluster(options: FakeKubeOptions = {}): Promise<TestCluster> {
  const kube = await startFakeKube(options);
  const dir = await mkdtemp(join(tmpdir(), "runbook-kube-"));
  const kubeconfig = await writeKubeconfig(join(dir, "kubeconfig"), [{ name: "test", server: kube }]);
  return {
    kube,
    kubeconfig,
    dir,
    stop: async () => {
      await kube.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestContext extends ActionContext {
  progressLog: string[];
}

/** A hand-built ActionContext: local adapters, `{{ name }}` substitution as the renderer. */
export function makeCtx(overrides: Partial<ActionContext> = {}): TestContext {
  const vars: Record<string, unknown> = {};
  const baseDir = overrides.baseDir ?? process.cwd();
  const { ctx, progressCalls } = testContext(baseDir, {
    step: { id: "1", name: "k8s step", action: "k8s", chain: [], depth: 0 },
    vars,
    render: (text, extra) =>
      text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String({ ...vars, ...extra }[name] ?? "")),
    resolveTemplate: async (src) => resolve(baseDir, src),
    // No kubeconfig may be found by accident in the developer's own home.
    processEnv: { HOME: "/nonexistent-home" },
    ...overrides,
  });
  // The log is read after the action ran; a getter keeps it in step with what progress() recorded.
  return Object.defineProperty(ctx, "progressLog", { get: () => progressCalls.map((c) => c.message) }) as TestContext;
}

function parse<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  return schema.parse(args) as z.output<S>;
}

export async function k8s(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
  return k8sAction.run(parse(k8sAction.schema, args), ctx);
}

export async function k8sPlan(args: Record<string, unknown>, ctx: ActionContext): Promise<PlanInfo> {
  return k8sAction.plan(parse(k8sAction.schema, args), ctx);
}

export async function k8sInfo(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
  return k8sInfoAction.run(parse(k8sInfoAction.schema, args), ctx);
}

/** The rejection of a promise (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

export const readText = (p: string) => readFile(p, "utf8");

export function deployment(name: string, replicas = 1, namespace?: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: "nginx:1.27" }] } },
    },
  };
}
