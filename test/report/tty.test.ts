import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { retryText } from "../../src/engine/report/format.js";
import { type CaptureStream, expectGolden, liveFrames, scrollback } from "../support/capture.js";
import { drive, until } from "../support/drive.js";

describe("tty reporter", () => {
  it("leaves the tree of steps, their statuses, failures and a recap in the scrollback", async () => {
    const out = await drive("tty", { yieldBetween: true });
    expectGolden("run.tty.golden", scrollback(out.text));
  });

  it("draws the same final tree when events arrive faster than it can draw", async () => {
    const slow = await drive("tty", { yieldBetween: true });
    const fast = await drive("tty");
    expect(scrollback(fast.text)).toBe(scrollback(slow.text));
  });

  it("shows retries as they happen and the last lines of output while a step runs", async () => {
    // Each live line must be drawn before the step ends: wait for it (the view draws asynchronously).
    const drawn = async (e: RunEvent, stream: CaptureStream) => {
      if (e.kind === "retry") await until(() => liveFrames(stream.text).includes(retryText(e)), retryText(e));
      if (e.kind === "output" && e.chunk.startsWith("Downloading")) {
        await until(() => liveFrames(stream.text).includes("Downloading istio"), "output drawn");
      }
      if (e.kind === "item-start") await until(() => liveFrames(stream.text).includes(`❯ ${e.label}`), e.label);
    };
    const frames = liveFrames((await drive("tty", { afterEach: drawn })).text);
    expect(frames).toContain("retry 2/5 in 3s: deployment istiod: 0/1 ready");
    expect(frames).toContain("Downloading istio-1.30.4 for linux/arm64");
    // Frames are patches (only changed lines are redrawn): each loop item appears as running before it ends.
    expect(frames).toMatch(/^ {2}❯ istio-ingress$/m);
    expect(frames).toMatch(/^ {2}✔ istio-ingress changed 340ms$/m);
  });

  it("shows a line of output before its newline arrives, and cuts live lines to the terminal width", async () => {
    const step = { id: "1", name: "Download", action: "download", chain: [], depth: 0 };
    const out = await drive("tty", {
      afterEach: async (e, stream) => {
        if (e.kind === "output") await until(() => liveFrames(stream.text).includes("Downloading 42%"), "partial line");
      },
      events: [
        { kind: "step-start", step },
        { kind: "output", step, stream: "stdout", chunk: `${"x".repeat(150)}\nDownloading 42%` },
        { kind: "step-end", step, status: "changed", result: { changed: true }, durationMs: 10 },
      ],
    });
    const frames = liveFrames(out.text);
    expect(frames).toContain("Downloading 42%");
    expect(frames).toContain(`${"x".repeat(93)}…`);
    expect(frames).not.toContain("x".repeat(94));
  });

  it("shows the whole output of a failed step with -v", async () => {
    const text = scrollback((await drive("tty", { verbose: true })).text);
    expect(text).toContain("      stderr:\n        error: webhook not ready, line 1\n");
    expect(text).not.toContain("last 20 of");
  });

  it("does not wait forever for a loop item whose end never came", async () => {
    const step = { id: "1", name: "Loop", action: "shell", chain: [], depth: 0 };
    const out = await drive("tty", {
      events: [
        { kind: "step-start", step },
        { kind: "item-start", step, index: 0, label: "a" },
        { kind: "step-end", step, status: "failed", result: { failed: true, msg: "loop broke" }, durationMs: 5 },
      ],
    });
    expect(scrollback(out.text)).toContain(
      "⚠ Loop failed 5ms\n  › msg: loop broke\n  ✖ a interrupted\n    › stopped before it finished\n",
    );
  });

  it("uses status colours when colour is on, and none when it is off", async () => {
    const colour = (await drive("tty", { color: true })).text;
    expect(colour).toContain("\u001b[33mchanged\u001b[39m");
    expect(colour).toContain("\u001b[35mrescued\u001b[39m");
    const plain = scrollback((await drive("tty", { color: false })).text);
    expect(plain).toContain("Install istioctl changed 1.2s");
  });

  it("marks the running step as interrupted when the reporter is closed before the run ends", async () => {
    const step = { id: "1", name: "Wait forever", action: "shell", chain: [], depth: 0 };
    const out = await drive("tty", { events: [{ kind: "step-start", step }] });
    expect(scrollback(out.text)).toContain("✖ Wait forever interrupted\n  › stopped before it finished");
  });
});
