import { describe, expect, it } from "vitest";
import { formatMode, modeSchema, parseMode } from "../../src/engine/actions/util/mode.js";

describe("parseMode", () => {
  it.each([
    ["0755", 0o755],
    ["755", 0o755],
    ["0o644", 0o644],
    ["0600", 0o600],
    ["1777", 0o1777],
    ["01777", 0o1777],
    [" 0640 ", 0o640],
    // YAML 1.2 reads an unquoted 0755 as the number 755: its digits are what the user meant.
    [755, 0o755],
    [644, 0o644],
    // A number with an 8 or 9 in it can only be the bits themselves (0o755 === 493).
    [0o755, 0o755],
    [0o600, 0o600],
  ] as const)("%j → %o", (input, bits) => {
    expect(parseMode(input)).toBe(bits);
  });

  it.each([
    ["rwxr-xr-x", 'invalid mode "rwxr-xr-x": expected octal such as "0644" or "0755"'],
    ["u+x", 'invalid mode "u+x": expected octal such as "0644" or "0755" (symbolic modes are not supported)'],
    ["0789", 'invalid mode "0789": expected octal'],
    ["", 'invalid mode "": expected octal'],
    ["77777", 'invalid mode "77777": larger than 07777'],
  ])("rejects %j", (input, message) => {
    expect(() => parseMode(input)).toThrow(message);
  });

  it("rejects numbers that are not permission bits", () => {
    expect(() => parseMode(-1)).toThrow("invalid mode -1");
    expect(() => parseMode(1.5)).toThrow("invalid mode 1.5");
    expect(() => parseMode(99999)).toThrow("invalid mode 99999: larger than 07777");
  });
});

describe("formatMode and modeSchema", () => {
  it("formats four octal digits", () => {
    expect(formatMode(0o644)).toBe("0644");
    expect(formatMode(0o1777)).toBe("1777");
    expect(formatMode(0o7)).toBe("0007");
  });

  it("validates to bits and reports garbage as an issue", () => {
    expect(modeSchema.parse("0755")).toBe(0o755);
    expect(modeSchema.safeParse("u+x").error?.issues[0]?.message).toContain("symbolic modes are not supported");
  });
});
