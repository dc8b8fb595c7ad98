import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, runCli } from "../support/cli.js";

/** Every example playbook in the docs must be valid: the docs may not drift from the language. */
describe("docs/examples", () => {
  const files = readdirSync(join(REPO, "docs/examples")).filter((f) => f.endsWith(".yml"));
  it.each(files)("%s validates", (f) => {
    const r = runCli(["validate", `docs/examples/${f}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
