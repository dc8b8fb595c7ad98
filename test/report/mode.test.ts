import { describe, expect, it } from "vitest";
import { chooseColor, chooseOutputMode } from "../../src/engine/report/mode.js";

describe("chooseOutputMode", () => {
  it.each([
    [{ isTTY: true, env: {} }, "tty"],
    [{ isTTY: false, env: {} }, "plain"],
    [{ isTTY: true, env: { CI: "true" } }, "plain"],
    [{ isTTY: true, env: { CI: "1" } }, "plain"],
    [{ isTTY: true, env: { CI: "false" } }, "tty"],
    [{ isTTY: true, env: { TERM: "dumb" } }, "plain"],
    [{ isTTY: true, env: { NO_COLOR: "1" } }, "plain"],
    [{ isTTY: true, env: { NO_COLOR: "" } }, "tty"],
    [{ flag: "tty" as const, isTTY: false, env: { CI: "true" } }, "tty"],
    [{ flag: "json" as const, isTTY: true, env: {} }, "json"],
    [{ flag: "plain" as const, isTTY: true, env: {} }, "plain"],
  ])("%j → %s", (input, mode) => {
    expect(chooseOutputMode(input)).toBe(mode);
  });
});

describe("chooseColor", () => {
  it.each([
    [{ isTTY: true, env: {} }, true],
    [{ isTTY: false, env: {} }, false],
    [{ isTTY: true, env: { NO_COLOR: "1" } }, false],
    [{ isTTY: true, env: { TERM: "dumb" } }, false],
    [{ isTTY: false, env: { FORCE_COLOR: "1" } }, true],
  ])("%j → %s", (input, color) => {
    expect(chooseColor(input)).toBe(color);
  });
});
