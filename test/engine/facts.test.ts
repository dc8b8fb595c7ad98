import { describe, expect, it } from "vitest";
import { evaluateCondition } from "../../src/engine/expr.js";
import { archName, createFacts, type FactSource, localFactSource } from "../../src/engine/facts.js";

describe("facts", () => {
  it("maps uname -m to release-file arch names", () => {
    expect(["x86_64", "aarch64", "armv7l", "arm64"].map(archName)).toEqual(["amd64", "arm64", "armv7", "arm64"]);
    // A 32-bit userland on a 64-bit CPU gets the armhf binaries, as K3s's install.sh picks (arm*).
    expect(archName("armv8l")).toBe("armv7");
  });
  it("computes nothing until read", () => {
    const read: string[] = [];
    const src: FactSource = {
      ...localFactSource,
      run: (argv) => {
        read.push(argv.join(" "));
        return "16384";
      },
      readText: (p) => {
        read.push(p);
        return undefined;
      },
    };
    const f = createFacts(src);
    expect(read).toEqual([]);
    expect(f.page_size).toBe(16384);
    expect(f.page_size).toBe(16384);
    expect(read).toEqual(["getconf PAGESIZE"]);
  });
  it("takes overrides", () => {
    expect(createFacts(undefined, { os: "darwin", arch: "arm64" })).toMatchObject({ os: "darwin", arch: "arm64" });
  });
  it("lets conditions read a numeric override (runbook plan --fact page_size=4096)", () => {
    const facts = createFacts(undefined, { page_size: 4096 });
    expect(evaluateCondition("facts.page_size != 4096", { facts }, undefined)).toEqual({ known: true, value: false });
  });
});
