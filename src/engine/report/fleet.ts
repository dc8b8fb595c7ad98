import type { RunEvent } from "../events.js";
import { PlainReporter } from "./plain.js";
import type { OutputStream, Reporter, ReporterOptions } from "./types.js";

/** A stream that prefixes every line written to it with `host | ` (whole lines only: reporters write those). */
export function prefixedStream(stream: OutputStream, prefix: string): OutputStream {
  const out = {
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = String(chunk);
      const body = text.endsWith("\n") ? text.slice(0, -1) : text;
      const prefixed = `${body
        .split("\n")
        .map((l) => `${prefix}${l}`.trimEnd())
        .join("\n")}${text.endsWith("\n") ? "\n" : ""}`;
      const cb = rest.find((r): r is (err?: Error | null) => void => typeof r === "function");
      return cb ? stream.write(prefixed, cb) : stream.write(prefixed);
    },
  };
  return out as unknown as OutputStream;
}

/**
 * Plain lines for a run on many hosts: one plain reporter per host, each line prefixed with the host
 * (padded so that columns line up), so a host's recap is its own row. Events without a host (none today)
 * go to an unprefixed reporter.
 */
export class FleetPlainReporter implements Reporter {
  private readonly perHost = new Map<string, PlainReporter>();
  private readonly width: number;
  private fallback: PlainReporter | undefined;

  constructor(
    private readonly opts: ReporterOptions,
    hosts: readonly string[],
  ) {
    this.width = Math.max(0, ...hosts.map((h) => h.length));
  }

  onEvent(e: RunEvent): void {
    const host = e.host ?? ("step" in e ? e.step.host : undefined);
    if (host === undefined) {
      this.fallback ??= new PlainReporter(this.opts);
      this.fallback.onEvent(e);
      return;
    }
    let r = this.perHost.get(host);
    if (!r) {
      r = new PlainReporter({
        ...this.opts,
        stream: prefixedStream(this.opts.stream, `${host.padEnd(this.width)} | `),
      });
      this.perHost.set(host, r);
    }
    r.onEvent(e);
  }

  /** The last line: how many hosts ended how. */
  summary(line: string): void {
    this.opts.stream.write(`${line}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.perHost.values(), ...(this.fallback ? [this.fallback] : [])].map((r) => r.close()));
  }
}
