import { describe, expect, it } from "vitest";
import { expectGolden } from "../support/capture.js";
import { drive } from "../support/drive.js";

describe("plain reporter", () => {
  it("writes one stable line per step, items and retries indented, failures as text, a recap", async () => {
    const out = await drive("plain");
    expectGolden("run.plain.golden", out.text);
  });

  it("never moves the cursor nor colours, even when asked for colour", async () => {
    const out = await drive("plain", { color: true });
    expect(out.text).not.toMatch(/\u001b/);
  });

  it("with -v shows output lines as they come and the whole output of a failed step", async () => {
    const out = await drive("plain", { verbose: true });
    expect(out.text).toContain("        [2] out: Downloading istio-1.30.4 for linux/arm64\n");
    // The partial last chunk is flushed when the step ends, before its status line.
    expect(out.text).toContain(
      "        [2] out: istioctl installed to /home/pi/.local/bin\nchanged [2] Install istioctl",
    );
    expect(out.text).toContain("stderr:\n          error: webhook not ready, line 1\n");
    expect(out.text).not.toContain("last 20 of");
    expect(out.text).toContain("notify  [2] restart istiod");
  });

  it("shows the last 20 lines of a failed step's output without -v", async () => {
    const out = await drive("plain");
    expect(out.text).toContain("stderr (last 20 of 25 lines):\n          error: webhook not ready, line 6\n");
    expect(out.text).not.toContain("line 5\n");
  });

  it("lists the steps still running when the run is interrupted", async () => {
    const step = { id: "1", name: "Wait forever", action: "shell", chain: [], depth: 0 };
    const out = await drive("plain", {
      events: [
        { kind: "step-start", step },
        {
          kind: "run-end",
          status: "interrupted",
          stats: { ok: 0, changed: 0, skipped: 0, failed: 0, ignored: 0, rescued: 0 },
          durationMs: 4000,
          stoppedAt: step,
        },
      ],
    });
    expect(out.text).toBe(
      "stopped [1] Wait forever\nrecap   interrupted ok=0 changed=0 skipped=0 failed=0 ignored=0 rescued=0 (4.0s)\n",
    );
  });
});
