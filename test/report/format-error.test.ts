import { describe, expect, it } from "vitest";
import { formatError, ISSUES_URL } from "../../src/cli/format-error.js";
import { InternalError, RunbookError, RunbookErrors } from "../../src/engine/errors.js";
import { registerSource } from "../../src/engine/source.js";
import { expectGolden } from "../support/capture.js";

const FILE = "playbooks/typo.yml";
registerSource(
  FILE,
  [
    "- name: Install istioctl",
    "  shell: curl -sL https://istio.io/downloadIstio | sh -",
    "  regster: out",
    "",
    "- name: Check",
    "  when: out.rc == '0'",
    "",
  ].join("\n"),
);

const typo = new RunbookError("unknown-key", 'unknown key "regster" in a step', {
  location: { file: FILE, line: 3, col: 3, endLine: 3, endCol: 10 },
  hint: 'did you mean "register"?',
  details: ["included from playbooks/site.yml:12:3"],
});
const expr = new RunbookError("expression", "a condition must be a boolean, got a string", {
  location: { file: FILE, line: 6, col: 9 },
  hint: "compare numbers with numbers: out.rc == 0",
  cause: new Error("found no matching overload for '_==_' applied to '(int, string)'"),
});

describe("formatError", () => {
  it("shows a user error with its location, the source line with a caret, the hint and details", () => {
    expectGolden("format-error.golden", `${formatError(typo, { color: false })}\n`);
  });

  it("shows every error of a RunbookErrors, then how many", () => {
    expectGolden("format-errors.golden", `${formatError(new RunbookErrors([typo, expr]), { color: false })}\n`);
  });

  it("shows an error without a location as `error[code]: message`", () => {
    expect(formatError(new RunbookError("usage", "missing playbook file"), { color: false })).toBe(
      "error[usage]: missing playbook file",
    );
  });

  it("says plainly that an internal error is runbook's bug, where to report it, and gives the stacks", () => {
    const err = new InternalError("plan has no step 7", { cause: new TypeError("cannot read 'id' of undefined") });
    const text = formatError(err, { color: false, version: "0.1.0" });
    expect(text).toMatch(/^runbook has a bug: plan has no step 7\n/);
    expect(text).toContain(`Please report it to ${ISSUES_URL} with this output.`);
    expect(text).toContain(`runbook 0.1.0, node ${process.version}`);
    expect(text).toMatch(/\nInternalError: plan has no step 7\n {4}at /);
    expect(text).toMatch(/\ncaused by: TypeError: cannot read 'id' of undefined\n {4}at /);
    expect(text).not.toContain("error[");
  });

  it("treats any other thrown value as a bug too", () => {
    expect(formatError(new TypeError("x is not a function"), { color: false })).toMatch(
      /^runbook has a bug: TypeError: x is not a function\n/,
    );
    expect(formatError("boom", { color: false })).toMatch(/^runbook has a bug: thrown: boom\n/);
  });

  it("colours the error word and the caret when asked, and masks secrets", () => {
    const text = formatError(new RunbookError("template", "bad value s3cr3t-value"), {
      color: true,
      mask: (t) => t.replaceAll("s3cr3t-value", "********"),
    });
    expect(text).toBe("\u001b[1m\u001b[31merror[template]\u001b[39m\u001b[22m: bad value ********");
  });
});
