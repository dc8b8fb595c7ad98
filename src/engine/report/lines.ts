/**
 * Turns output chunks into whole lines: a chunk may end mid-line, and a line may
 * span chunks. One buffer per key (step id and stream).
 */
export class LineSplitter {
  private readonly partial = new Map<string, string>();

  /** The complete lines in this chunk, keeping any trailing partial line for later. */
  push(key: string, chunk: string): string[] {
    const text = (this.partial.get(key) ?? "") + chunk;
    const lines = text.split(/\r?\n/);
    const rest = lines.pop() ?? "";
    if (rest === "") this.partial.delete(key);
    else this.partial.set(key, rest);
    // A carriage return rewrites the line (progress bars): keep what the terminal would show.
    return lines.map((l) => l.slice(l.lastIndexOf("\r") + 1));
  }

  /** The line still being written for a key (shown live, before its newline arrives). */
  peek(key: string): string {
    const rest = this.partial.get(key) ?? "";
    return rest.slice(rest.lastIndexOf("\r") + 1);
  }

  /** The partial line left for a key, if any (at step end). */
  flush(key: string): string[] {
    const rest = this.partial.get(key);
    this.partial.delete(key);
    return rest === undefined ? [] : [rest.slice(rest.lastIndexOf("\r") + 1)];
  }

  /** Flush every key that starts with a prefix (all streams of one step). */
  flushPrefix(prefix: string): { key: string; lines: string[] }[] {
    return [...this.partial.keys()].filter((k) => k.startsWith(prefix)).map((key) => ({ key, lines: this.flush(key) }));
  }
}

/** The last `size` lines seen, for the live view of a running step. */
export class Tail {
  private lines: string[] = [];
  constructor(private readonly size: number) {}

  add(lines: string[]): void {
    this.lines = [...this.lines, ...lines].slice(-this.size);
  }

  get all(): readonly string[] {
    return this.lines;
  }
}
