import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { durationSchema, formatDuration } from "../duration.js";
import { localProbe, type ProbeOutcome } from "../io/probe.js";
import type { ActionContext } from "./types.js";
import { ActionFailure, defineAction } from "./types.js";

const httpStatus = z.number().int().min(100).max(599);

const waitForSchema = z
  .strictObject({
    port: z.number().int().min(1).max(65535).optional().describe("TCP port to wait for (with host)"),
    host: z.string().min(1).optional().describe("host for port (default 127.0.0.1)"),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("http(s) URL to poll with GET until it answers with status"),
    status: z
      .union([httpStatus, z.array(httpStatus).min(1)])
      .optional()
      .describe("expected HTTP status for url, or a list of them (default 200)"),
    path: z.string().min(1).optional().describe("file system path to wait for"),
    state: z
      .enum(["present", "absent", "started", "stopped"])
      .optional()
      .describe("present (default) / absent for path; started (default) / stopped for port"),
    timeout: durationSchema.default(300_000).describe('how long to wait in all: "30s", "5m" or seconds (default 5m)'),
    delay: durationSchema.default(0).describe("how long to wait before the first check (default 0)"),
    sleep: durationSchema.default(1000).describe("pause between checks (default 1s)"),
  })
  .superRefine((a, ctx) => {
    const kinds = [a.port, a.url, a.path].filter((v) => v !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: "custom", message: "wait_for needs exactly one of port, url or path" });
    if (a.host !== undefined && a.port === undefined)
      ctx.addIssue({ code: "custom", message: "host is only used with port", path: ["host"] });
    if (a.status !== undefined && a.url === undefined)
      ctx.addIssue({ code: "custom", message: "status is only used with url", path: ["status"] });
    const allowed = a.path !== undefined ? ["present", "absent"] : a.port !== undefined ? ["started", "stopped"] : [];
    if (a.state !== undefined && !allowed.includes(a.state)) {
      const what = a.path !== undefined ? "path" : a.port !== undefined ? "port" : "url";
      const expected = allowed.length ? `: use ${allowed.join(" or ")}` : "";
      ctx.addIssue({
        code: "custom",
        message: `state ${a.state} does not apply to ${what}${expected}`,
        path: ["state"],
      });
    }
  })
  .describe("Wait until a port accepts connections (or stops), a URL answers, or a path appears (or goes away)");

export type WaitForArgs = z.output<typeof waitForSchema>;

interface Condition {
  /** "127.0.0.1:8080 to accept connections". */
  what: string;
  check(attemptMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
}

function condition(a: WaitForArgs, ctx: ActionContext): Condition {
  const probe = ctx.probe ?? localProbe;
  if (a.port !== undefined) {
    const host = a.host ?? "127.0.0.1";
    const port = a.port;
    if (a.state === "stopped") {
      return {
        what: `${host}:${port} to stop accepting connections`,
        check: async (ms, signal) => {
          const r = await probe.tcp(host, port, ms, signal);
          return r.ok ? { ok: false, detail: "still accepting connections" } : { ok: true };
        },
      };
    }
    return { what: `${host}:${port} to accept connections`, check: (ms, signal) => probe.tcp(host, port, ms, signal) };
  }
  if (a.url !== undefined) {
    const url = a.url;
    const statuses = a.status === undefined ? [200] : Array.isArray(a.status) ? a.status : [a.status];
    return {
      what: `${url} to answer with status ${statuses.join(" or ")}`,
      check: (ms, signal) => probe.http(url, statuses, ms, signal),
    };
  }
  const path = a.path ?? "";
  const absent = a.state === "absent";
  return {
    what: `${path} to ${absent ? "be removed" : "exist"}`,
    check: async () => {
      const exists = (await ctx.fs.stat(path)) !== undefined;
      return exists === absent ? { ok: false, detail: exists ? "still there" : "not there yet" } : { ok: true };
    },
  };
}

/** Resolves false when the signal fired instead. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

// One check may take at most this long, so a silent host does not eat the whole timeout in one try,
// and at least this long, so the last check before the deadline still gets a real answer.
const MAX_ATTEMPT_MS = 10_000;
const MIN_ATTEMPT_MS = 1000;

export const waitForAction = defineAction<WaitForArgs>({
  name: "wait_for",
  description: "Wait for a port, a URL or a path; fails after timeout saying what it waited for",
  schema: waitForSchema,
  async plan(args, ctx) {
    return {
      summary: `wait up to ${formatDuration(args.timeout)} for ${condition(args, ctx).what}`,
      willChange: false,
    };
  },
  async run(args, ctx) {
    const cond = condition(args, ctx);
    const interrupted = () => new ActionFailure(`interrupted while waiting for ${cond.what}`, { interrupted: true });
    if (args.delay > 0 && !(await pause(args.delay, ctx.signal))) throw interrupted();
    const start = Date.now();
    const deadline = start + args.timeout;
    for (let attempt = 1; ; attempt++) {
      ctx.progress(`waiting for ${cond.what} (check ${attempt})`);
      const remaining = deadline - Date.now();
      const outcome = await cond.check(Math.min(Math.max(remaining, MIN_ATTEMPT_MS), MAX_ATTEMPT_MS), ctx.signal);
      if (ctx.signal.aborted) throw interrupted();
      const elapsed_ms = Date.now() - start;
      if (outcome.ok) {
        return {
          changed: false,
          elapsed_ms,
          msg: `${cond.what}: ok`,
          ...(outcome.status ? { status: outcome.status } : {}),
        };
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = outcome.detail ? ` (last check: ${outcome.detail})` : "";
        throw new ActionFailure(`timed out after ${formatDuration(args.timeout)} waiting for ${cond.what}${last}`, {
          elapsed_ms,
          ...(outcome.status ? { status: outcome.status } : {}),
        });
      }
      if (!(await pause(Math.min(args.sleep, left), ctx.signal))) throw interrupted();
    }
  },
});
