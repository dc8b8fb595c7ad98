import { describe, expect, it } from "vitest";
import { batches } from "../../src/engine/fleet/batches.js";

const hosts = ["a", "b", "c", "d", "e"];

describe("serial batches", () => {
  it("no serial is one batch of every host", () => {
    expect(batches(hosts, undefined)).toEqual([hosts]);
  });
  it("a count, a percentage (rounded down, at least 1), and a list whose last size repeats", () => {
    expect(batches(hosts, [2])).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(batches(hosts, ["30%"])).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
    expect(batches(hosts, ["40%"])).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(batches(hosts, [1, "100%"])).toEqual([["a"], ["b", "c", "d", "e"]]);
    expect(batches(hosts, [1, 2])).toEqual([["a"], ["b", "c"], ["d", "e"]]);
  });
  it("no hosts, no batches", () => {
    expect(batches([], [1])).toEqual([]);
  });
});
