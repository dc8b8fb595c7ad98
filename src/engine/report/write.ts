import type { OutputStream, ReporterOptions } from "./types.js";

/** The masking every reporter applies to every character it prints. */
export function maskFn(opts: Pick<ReporterOptions, "showSecrets" | "masker">): (text: string) => string {
  const { masker } = opts;
  if (opts.showSecrets || !masker) return (text) => text;
  return (text) => masker.mask(text);
}

/**
 * Writes masked text and remembers the last write, so that close() can wait until the
 * stream has taken every byte (a CLI that exits right after must not lose the recap).
 */
export class MaskedWriter {
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly stream: OutputStream,
    readonly mask: (text: string) => string,
  ) {}

  write(text: string): void {
    const masked = this.mask(text);
    this.last = new Promise((resolve) => {
      // The callback also fires on error (EPIPE when piped into `head`): nothing more to wait for then.
      this.stream.write(masked, () => resolve());
    });
  }

  line(text = ""): void {
    this.write(`${text}\n`);
  }

  lines(lines: string[], indent = ""): void {
    if (lines.length > 0) this.write(`${lines.map((l) => `${indent}${l}`.trimEnd()).join("\n")}\n`);
  }

  flush(): Promise<void> {
    return this.last;
  }
}
