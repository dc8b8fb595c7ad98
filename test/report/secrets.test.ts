import { describe, expect, it } from "vitest";
import { MASK, REDACTED, redact, redactResult, SecretMasker } from "../../src/engine/report/redact.js";
import { scrollback } from "../support/capture.js";
import { drive } from "../support/drive.js";
import { FIXTURE_VARS, NO_LOG_VALUE } from "../support/fixture-run.js";

const SECRETS = [FIXTURE_VARS.registry_password, FIXTURE_VARS.api_token, NO_LOG_VALUE];

describe("secrets in reporter output", () => {
  for (const mode of ["tty", "plain", "json"] as const) {
    for (const verbose of [false, true]) {
      it(`${mode}${verbose ? " -v" : ""} never prints a secret variable's value nor anything of a no_log step`, async () => {
        const out = await drive(mode, { verbose, yieldBetween: mode === "tty" });
        for (const secret of SECRETS) expect(out.text).not.toContain(secret);
        expect(out.text).toContain(MASK);
      });
    }
  }

  it("prints secret variables with showSecrets (so the test above can fail), still never no_log output", async () => {
    const out = await drive("plain", { verbose: true, showSecrets: true });
    expect(out.text).toContain(FIXTURE_VARS.registry_password);
    expect(out.text).toContain(FIXTURE_VARS.api_token);
    expect(out.text).not.toContain(NO_LOG_VALUE);
    const tty = scrollback((await drive("tty", { showSecrets: true })).text);
    expect(tty).toContain(FIXTURE_VARS.api_token);
  });
});

describe("SecretMasker", () => {
  it("masks values of variables named like secrets, at any depth, case-insensitively", () => {
    const masker = new SecretMasker({
      DB_PASSWORD: "pa55word!",
      registry: { authToken: "abc-123-xyz", url: "https://registry.local" },
      ssh_keys: ["key-one-value", "key-two-value"],
      client_secret: 123456789,
      mesh: "production",
    });
    expect(masker.mask("pa55word! abc-123-xyz key-two-value 123456789 production https://registry.local")).toBe(
      `${MASK} ${MASK} ${MASK} ${MASK} production https://registry.local`,
    );
  });

  it("ignores values shorter than 4 characters", () => {
    const masker = new SecretMasker({ api_key: "abc", token: "abcd" });
    expect(masker.size).toBe(1);
    expect(masker.mask("abc abcd")).toBe(`abc ${MASK}`);
  });

  it("masks the longest secret first and treats values literally, not as patterns", () => {
    const masker = new SecretMasker({ key_a: "s3cr", key_b: "s3cr.t+full" });
    expect(masker.mask("x s3cr.t+full y s3cr z s3crXt+full")).toBe(`x ${MASK} y ${MASK} z ${MASK}Xt+full`);
  });

  it("learns secrets added later", () => {
    const masker = new SecretMasker({});
    expect(masker.mask("tok-999999")).toBe("tok-999999");
    masker.addVars({ new_token: "tok-999999" }).addValue("literal-secret");
    expect(masker.mask("tok-999999 literal-secret")).toBe(`${MASK} ${MASK}`);
  });
});

describe("redact", () => {
  it("keeps the shape and hides every leaf", () => {
    expect(redact({ a: "x", b: [1, { c: "y" }], d: true, e: null })).toEqual({
      a: REDACTED,
      b: [REDACTED, { c: REDACTED }],
      d: true,
      e: null,
    });
    expect(redact("password")).toBe(REDACTED);
  });

  it("keeps a no_log result's status fields and hides the rest, item by item", () => {
    expect(
      redactResult({
        changed: true,
        failed: false,
        rc: 0,
        stdout: "secret",
        msg: "secret",
        results: [{ changed: true, item: "secret", stdout: "x" }],
      }),
    ).toEqual({
      changed: true,
      failed: false,
      rc: 0,
      stdout: REDACTED,
      msg: REDACTED,
      results: [{ changed: true, item: REDACTED, stdout: REDACTED }],
    });
  });
});
