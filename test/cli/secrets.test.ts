import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { SecretMasker } from "../../src/engine/secrets.js";
import { REPO, runCli } from "../support/cli.js";
import { drive } from "../support/drive.js";

const DIR = "test/fixtures/secrets-everywhere";
const PLAYBOOK = join(DIR, "run.yml");
const ERRORS = join(DIR, "errors.yml");

// One marked secret per source; each has a `"` and a `\`, so that its JSON-escaped form differs.
const marked = (source: string) => `zq-${source}-"q\\b`;
const SOURCES = [
  "playbook-vars",
  "rendered-zq-playbook-vars",
  "extra-vars",
  "env",
  "step-vars",
  "block-vars",
  "include-vars",
  "set-vars",
  "include_vars",
  "registered",
  "nolog-input",
  "nolog-output",
];
const PEM = (parse(readFileSync(join(REPO, DIR, "vars.yml"), "utf8")) as { api_key: string }).api_key;

const args = ["-e", `cli_token=${marked("extra-vars")}`];
const env = { MY_TOKEN: marked("env") };

/** Every form a secret must not appear in: as is, JSON-escaped, base64; for the key, each of its lines too. */
function forms(secret: string): string[] {
  const out = [secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64")];
  return [...new Set(out)];
}
const SECRETS = [...SOURCES.map(marked), PEM, ...PEM.split("\n").filter((l) => l.includes("zqPEMLINE"))];

function expectNoSecret(output: string, what: string): void {
  for (const secret of SECRETS) {
    for (const form of forms(secret))
      expect(output.includes(form), `${what} shows ${JSON.stringify(form)}`).toBe(false);
  }
  // The one marker all of them share: nothing of any secret is left, however it was cut or quoted.
  expect(output, what).not.toMatch(/zq-|zqPEMLINE/);
}

describe("a secret from every source is masked in every output", () => {
  it.each([
    ["apply --output plain", ["apply", PLAYBOOK, "--output", "plain", "-v", ...args]],
    ["apply --output json", ["apply", PLAYBOOK, "--output", "json", "-v", ...args]],
    ["plan", ["plan", PLAYBOOK, ...args]],
    ["plan --format json", ["plan", PLAYBOOK, "--format", "json", ...args]],
  ])("%s", (what, argv) => {
    const r = runCli(argv, env);
    // The run gets to the final `fail:` (so every print ran) and fails there.
    expect(r.stdout + r.stderr).toContain("finally");
    expect(r.stdout + r.stderr).toContain("********");
    expectNoSecret(r.stdout, `${what} stdout`);
    expectNoSecret(r.stderr, `${what} stderr`);
  });

  it.each([["apply"], ["plan"], ["validate"]])("%s: input errors that quote a secret's value", (cmd) => {
    const r = runCli([cmd, ERRORS, ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/5 errors/);
    expectNoSecret(r.stdout + r.stderr, `${cmd} errors`);
  });

  it("tty: the live tree, fed by the run that taught the masker", async () => {
    const masker = new SecretMasker();
    const events: RunEvent[] = [];
    await runPlaybook(join(REPO, PLAYBOOK), {
      masker,
      extraVars: { cli_token: marked("extra-vars") },
      env: { ...process.env, ...env },
      onEvent: (e) => events.push(e),
    });
    expect(JSON.stringify(events)).toContain("zq-set-vars");
    const out = (await drive("tty", { events, masker, verbose: true })).text;
    expect(out).toContain("finally");
    expectNoSecret(out, "tty");
  });

  it("--show-secrets shows them (so the test above can fail)", () => {
    const r = runCli(["apply", PLAYBOOK, "--output", "plain", "--show-secrets", ...args], env);
    for (const source of SOURCES) expect(r.stdout + r.stderr).toContain(marked(source));
  });
});
