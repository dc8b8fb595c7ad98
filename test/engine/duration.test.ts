import { describe, expect, it } from "vitest";
import { durationSchema, parseDuration } from "../../src/engine/duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["1.5s", 1500],
    ["2m30s", 150_000],
    [" 10s ", 10_000],
    ["45", 45_000],
    [30, 30_000],
    [0.25, 250],
    [0, 0],
  ] as const)("%j → %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(["", "soon", "5 m", "5x", "m5", "-3s", "1h-30m", "30s!"])(
    "rejects %j with an example of what works",
    (input) => {
      expect(() => parseDuration(input)).toThrow(`invalid duration ${JSON.stringify(input)}: expected e.g. "30s"`);
    },
  );

  it("rejects negative and non-finite numbers", () => {
    expect(() => parseDuration(-1)).toThrow("invalid duration -1: expected seconds >= 0");
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow("invalid duration Infinity");
  });
});

describe("durationSchema", () => {
  it("outputs milliseconds", () => {
    expect(durationSchema.parse("5m")).toBe(300_000);
    expect(durationSchema.parse(2)).toBe(2000);
  });

  it("reports garbage as a validation issue, not a crash", () => {
    const r = durationSchema.safeParse("later");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('invalid duration "later"');
    expect(durationSchema.safeParse(true).success).toBe(false);
  });
});
