import { describe, expect, it } from "vitest";
import { learnNoLogInputs, learnOutputs, ShownValues } from "../../src/engine/run/no-log-secrets.js";
import { MASK, maskDeep, SecretMasker } from "../../src/engine/secrets.js";

const PEM = "-----BEGIN KEY-----\nAAAAlineone\nBBBBlinetwo\n-----END KEY-----\n";

describe("SecretMasker forms", () => {
  it("masks a multi-line value line by line, wherever the lines are indented to", () => {
    const m = new SecretMasker({ tls_key: PEM });
    expect(m.mask(`key:\n    | AAAAlineone\n    | BBBBlinetwo`)).toBe(`key:\n    | ${MASK}\n    | ${MASK}`);
  });

  it("masks the JSON-escaped and base64 forms of a value with quotes and backslashes", () => {
    const secret = 'pa"ss\\word';
    const m = new SecretMasker({ password: secret });
    expect(m.mask(JSON.stringify({ msg: `x ${secret} y` }))).toBe(`{"msg":"x ${MASK} y"}`);
    expect(m.mask(`data: ${Buffer.from(secret).toString("base64")}`)).toBe(`data: ${MASK}`);
    expect(new SecretMasker({ key: PEM }).mask(JSON.stringify(PEM))).not.toContain("AAAA");
  });

  it("maskDeep masks values and keys before serialising, and survives cycles and bigints", () => {
    const m = new SecretMasker({ token: "tok-12345" });
    const cyclic: Record<string, unknown> = { "tok-12345": "tok-12345", n: 10n };
    cyclic.self = cyclic;
    expect(maskDeep(cyclic, (t) => m.mask(t))).toEqual({ [MASK]: MASK, n: "10", self: "[Circular]" });
  });

  it("addLayer learns a layer once; addTree learns every value whatever its name", () => {
    const m = new SecretMasker();
    const layer = { db_password: "hunter22" };
    m.addLayer(layer).addLayer(layer);
    expect(m.size).toBe(1);
    m.addTree({ plain: ["visible?", "short"] }, 8);
    expect(m.mask("visible? short")).toBe(`${MASK} short`);
  });
});

describe("no_log inputs and outputs", () => {
  it("learns what templates put into the arguments, not the playbook's own words or paths", () => {
    const m = new SecretMasker();
    const raw = ["kubectl", "create", "secret", "--from-literal=pw={{ admin }}", "--dir={{ work }}/certs"];
    const rendered = ["kubectl", "create", "secret", "--from-literal=pw=s3cr3t!", "--dir=/home/u/work/certs"];
    learnNoLogInputs(m, raw, rendered, { admin: "s3cr3t!", work: "/home/u/work", unused: "never-used" });
    expect(m.mask("kubectl create secret s3cr3t! /home/u/work never-used")).toBe(
      `kubectl create secret ${MASK} /home/u/work never-used`,
    );
    expect(m.mask("--from-literal=pw=s3cr3t!")).toBe(`--from-literal=pw=${MASK}`);
  });

  it("does not learn a value an earlier step showed in clear, nor a loop's items", () => {
    const m = new SecretMasker();
    const shown = new ShownValues();
    shown.add("Look for the Secret in cluster1");
    learnNoLogInputs(m, ["--context={{ c.name }}"], ["--context=cluster1"], { c: { name: "cluster1" } }, shown);
    learnNoLogInputs(m, ["{{ clusters }}"], ["cluster2"], { clusters: [{ name: "cluster2" }] }, shown);
    expect(m.size).toBe(0);
  });

  it("learns stdout and objects read, not the command, the message or short lines", () => {
    const m = new SecretMasker();
    learnOutputs(m, {
      cmd: "kubectl create token sa",
      msg: "non-zero return code",
      stdout: "eyJhbGciOiJSUzI1NiJ9.payload\ndone",
      results: [{ stdout: "another-token-value" }],
    });
    expect(m.mask("kubectl create token sa: non-zero return code, done")).toBe(
      "kubectl create token sa: non-zero return code, done",
    );
    expect(m.mask("eyJhbGciOiJSUzI1NiJ9.payload another-token-value")).toBe(`${MASK} ${MASK}`);
  });
});
