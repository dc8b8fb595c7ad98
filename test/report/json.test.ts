import { describe, expect, it } from "vitest";
import { EVENTS_VERSION } from "../../src/engine/events.js";
import { REDACTED } from "../../src/engine/report/redact.js";
import { CaptureStream, expectGolden } from "../support/capture.js";
import { drive } from "../support/drive.js";
import { fixtureRun } from "../support/fixture-run.js";

const parse = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("json reporter", () => {
  it("writes one JSON object per line with v and time", async () => {
    const out = await drive("json");
    expectGolden("run.jsonl.golden", out.text);
    for (const line of parse(out.text)) {
      expect(line.v).toBe(EVENTS_VERSION);
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it("writes every event but output chunks, and output chunks too with -v", async () => {
    const events = fixtureRun();
    const outputs = events.filter((e) => e.kind === "output").length;
    expect(outputs).toBeGreaterThan(0);
    expect(parse((await drive("json")).text)).toHaveLength(events.length - outputs);
    const verbose = parse((await drive("json", { verbose: true })).text);
    // The no_log step's output is never written, even with -v.
    expect(verbose).toHaveLength(events.length - 1);
    expect(verbose.map((l) => l.kind)).toEqual(
      events.filter((e) => !(e.kind === "output" && e.step.noLog)).map((e) => e.kind),
    );
  });

  it("redacts the result of a no_log step", async () => {
    const lines = parse((await drive("json")).text);
    const login = lines.find((l) => l.kind === "step-end" && (l.step as { id: string }).id === "9");
    expect(login?.result).toEqual({ changed: false, rc: 0, cmd: REDACTED, stdout: REDACTED });
  });

  it("does not lose events to a slow stream: close() waits until every line is written", async () => {
    const stream = new CaptureStream({ highWaterMark: 16, delayMs: 1 });
    await drive("json", { stream });
    expect(parse(stream.text)).toHaveLength(fixtureRun().filter((e) => e.kind !== "output").length);
    expect(stream.text.endsWith('"error":"step [10] Verify the mesh failed"}\n')).toBe(true);
  });

  it("keeps a result that JSON cannot represent as is (bigint, cycles) instead of throwing", async () => {
    const result: Record<string, unknown> = { changed: false, big: 10n };
    result.self = result;
    const step = { id: "1", name: "odd", action: "print", chain: [], depth: 0 };
    const out = await drive("json", { events: [{ kind: "step-end", step, status: "ok", result, durationMs: 1 }] });
    expect(parse(out.text)[0]?.result).toEqual({ changed: false, big: "10", self: "[Circular]" });
  });
});
