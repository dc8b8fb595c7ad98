import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { expect } from "vitest";
import { stripAnsi } from "../../src/engine/report/style.js";

/** A stream that keeps everything written to it, looking like a terminal or not. */
export class CaptureStream extends Writable {
  readonly chunks: string[] = [];
  isTTY: boolean;
  columns = 100;
  rows = 200;

  constructor(opts: { isTTY?: boolean; highWaterMark?: number; delayMs?: number } = {}) {
    super({ decodeStrings: false, highWaterMark: opts.highWaterMark ?? 16 * 1024 });
    this.isTTY = opts.isTTY ?? false;
    this.delayMs = opts.delayMs ?? 0;
  }

  private readonly delayMs: number;

  override _write(chunk: unknown, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    if (this.delayMs > 0) setTimeout(done, this.delayMs);
    else done();
  }

  get text(): string {
    return this.chunks.join("");
  }
}

// log-update wraps each live frame in "synchronized output" markers when the stream is a terminal.
const FRAME = /\u001b\[\?2026h[\s\S]*?\u001b\[\?2026l/g;

/** What stays in a terminal's scrollback after a tty run: live frames removed, ANSI stripped. */
export function scrollback(raw: string): string {
  return stripAnsi(raw.replace(FRAME, "")).replace(/[ \t]+$/gm, "");
}

/** Every live frame, ANSI stripped: what the user saw while steps ran. */
export function liveFrames(raw: string): string {
  return (raw.match(FRAME) ?? []).map(stripAnsi).join("\n");
}

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "report");

/** Compare with test/fixtures/report/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, actual: string): void {
  const file = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
}
