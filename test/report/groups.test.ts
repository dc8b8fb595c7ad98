import { describe, expect, it } from "vitest";
import type { ChainLink } from "../../src/engine/events.js";
import { GroupTracker, groupLabel } from "../../src/engine/report/groups.js";

const block: ChainLink = { kind: "block", name: "Upgrade", location: { file: "p.yml", line: 3, col: 3 } };
const other: ChainLink = { kind: "block", name: "Upgrade", location: { file: "p.yml", line: 9, col: 3 } };
const include: ChainLink = { kind: "include", name: "tasks/mesh.yml" };
const handler: ChainLink = { kind: "handler", name: "restart istiod" };

describe("GroupTracker", () => {
  it("enters the groups of a step's chain once, and leaves them when a step outside starts", () => {
    const t = new GroupTracker();
    expect(t.enter([include, block]).entered.map(groupLabel)).toEqual(["include tasks/mesh.yml", "block Upgrade"]);
    t.record("changed", 100);
    expect(t.enter([include, block])).toEqual({ left: [], entered: [] });
    t.record("ok", 50);
    const { left, entered } = t.enter([include]);
    expect(entered).toEqual([]);
    expect(left.map((l) => [groupLabel(l.group), l.status, l.group.durationMs])).toEqual([
      ["block Upgrade", "changed", 150],
    ]);
    t.record("skipped", 0);
    expect(t.leaveAll(false).map((l) => [groupLabel(l.group), l.status, l.group.durationMs])).toEqual([
      ["include tasks/mesh.yml", "changed", 150],
    ]);
  });

  it("calls a block whose step failed rescued when the run went on after it, failed when the run ended", () => {
    const t = new GroupTracker();
    t.enter([block]);
    t.record("failed", 10);
    t.record("changed", 10);
    expect(t.enter([]).left[0]?.status).toBe("rescued");
    t.enter([block]);
    t.record("failed", 10);
    expect(t.leaveAll(false)[0]?.status).toBe("failed");
  });

  it("tells apart two blocks with the same name, and ignores handler links", () => {
    const t = new GroupTracker();
    t.enter([block]);
    const next = t.enter([other, handler]);
    expect(next.left).toHaveLength(1);
    expect(next.entered).toHaveLength(1);
    expect(t.enter([other]).entered).toEqual([]);
  });

  it("counts an ignored failure as ok and a group of skipped steps as skipped", () => {
    const t = new GroupTracker();
    t.enter([block]);
    t.record("ignored", 1);
    expect(t.enter([]).left[0]?.status).toBe("ok");
    t.enter([include]);
    t.record("skipped", 0);
    expect(t.leaveAll(true)[0]?.status).toBe("skipped");
  });
});
