import { describe, expect, it } from "vitest";
import type { RunEvent, StepRef } from "../../src/engine/events.js";
import { drive } from "../support/drive.js";

// A block whose last step failed and whose rescue ran is the last thing of a run that ended ok.
const block = { kind: "block" as const, name: "Upgrade", location: { file: "p.yml", line: 1, col: 3 } };
const failing: StepRef = { id: "1", name: "Break", action: "shell", chain: [block], depth: 1 };
const rescue: StepRef = { id: "2", name: "Recover", action: "print", chain: [block], depth: 1 };
const stats = { ok: 1, changed: 0, skipped: 0, failed: 0, ignored: 0, rescued: 1 };
const events = (status: "ok" | "failed"): RunEvent[] => [
  { kind: "step-start", step: failing },
  { kind: "step-end", step: failing, status: "failed", result: { rc: 1, msg: "rc 1" }, durationMs: 5 },
  { kind: "step-start", step: rescue },
  { kind: "step-end", step: rescue, status: "ok", result: {}, durationMs: 1 },
  { kind: "run-end", status, stats: status === "ok" ? stats : { ...stats, failed: 1, rescued: 0 }, durationMs: 9 },
];

describe("a block left when the run ends", () => {
  it("plain: rescued when the run ended ok, failed when it did not", async () => {
    expect((await drive("plain", { events: events("ok") })).text).toMatch(/^rescued block Upgrade/m);
    expect((await drive("plain", { events: events("failed") })).text).toMatch(/^failed {2}block Upgrade/m);
  });

  it("tty: the block row says rescued when the run ended ok", async () => {
    const out = await drive("tty", { events: events("ok") });
    expect(out.text).toMatch(/rescued.*Upgrade|Upgrade.*rescued/);
  });
});
