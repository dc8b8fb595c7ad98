import { basename } from "node:path";
import { z } from "zod";
import { parseChecksumSpec } from "../io/checksum.js";
import type { DownloadOptions } from "../io/download.js";

// undici is loaded with the first download, not at start-up.
const loadDownload = () => import("../io/download.js");

import { displayUrl } from "../io/http-get.js";
import { modeArg, resolveArgPath, timeoutArg } from "./file-args.js";
import { type ActionContext, ActionFailure, defineAction } from "./types.js";
import { downloadToTarget } from "./util/remote-download.js";

const downloadArgs = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\//i, "must be an http:// or https:// URL")
      .describe("The http(s) URL to fetch; redirects are followed"),
    dest: z
      .string()
      .min(1)
      .describe(
        "Where to save it; a directory (existing, or ending in /) gets the URL's file name. Relative paths resolve against the playbook",
      ),
    checksum: z
      .string()
      .refine((v) => {
        try {
          return Boolean(parseChecksumSpec(v));
        } catch {
          return false;
        }
      }, 'must be "sha256:<64 hex digits>" or "sha256:<http(s) URL of a checksum file>"')
      .optional()
      .describe(
        "sha256:<hex>, or sha256:<URL of a checksum file> (`<hex> <name>` lines, as Istio publishes): verified while streaming; a present dest with this digest is not fetched",
      ),
    mode: modeArg.optional().describe('Permission bits for dest, e.g. "0755" for a binary'),
    headers: z.record(z.string(), z.string()).optional().describe("Extra HTTP request headers (e.g. Authorization)"),
    timeout: timeoutArg
      .optional()
      .describe(
        'Time allowed for one attempt ("30s", "5m" or seconds; default 10m). No data for min(timeout, 30s) also fails it',
      ),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(3)
      .describe("Extra attempts on network errors, timeouts and HTTP 5xx, with exponential backoff (never on 4xx)"),
    force: z.boolean().default(false).describe("Fetch even when dest is already present with the right checksum"),
  })
  .strict();

export type DownloadArgs = z.infer<typeof downloadArgs>;

function options(args: DownloadArgs, ctx: ActionContext): DownloadOptions {
  const name = basename(new URL(args.url).pathname) || args.url;
  return {
    url: args.url,
    dest: resolveArgPath(ctx.baseDir, args.dest),
    checksum: args.checksum,
    mode: args.mode,
    headers: args.headers,
    timeoutMs: args.timeout,
    retries: args.retries,
    force: args.force,
    cacheDir: ctx.cacheDir,
    // The step's `environment` may set a proxy for this step only.
    env: { ...ctx.processEnv, ...ctx.env },
    signal: ctx.signal,
    onProgress: (received, total) => ctx.progress(`download ${name}`, received, total),
  };
}

export const downloadAction = defineAction({
  name: "download",
  description: "Fetch a file over HTTP(S), verified against a sha256 checksum, written atomically",
  schema: downloadArgs,
  async run(args, ctx) {
    const opts = options(args, ctx);
    if (ctx.local === false) return downloadToTarget(opts, ctx);
    try {
      const { download } = await loadDownload();
      const r = await download(opts);
      return { changed: r.changed, dest: r.dest, checksum: r.checksum, size: r.size, msg: r.msg };
    } catch (e) {
      throw new ActionFailure((e as Error).message, { dest: opts.dest, url: displayUrl(args.url) });
    }
  },
  async plan(args, ctx) {
    const { probeDownload } = await loadDownload();
    const p = await probeDownload(options(args, ctx));
    return {
      summary: p.summary,
      willChange: p.willChange,
      details: p.wouldFetch.map((u) => `GET ${u}`),
      data: { url: displayUrl(args.url), dest: p.dest, checksum: p.checksum, wouldFetch: p.wouldFetch },
    };
  },
});
