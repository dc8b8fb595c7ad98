import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM certificate; self-signed, so it is also the CA a kubeconfig carries. */
  cert: string;
  key: string;
}

let cached: TestCertificate | undefined;

/** A new self-signed certificate with this subject; every call makes a fresh key (another cluster's CA, say). */
export function makeCertificate(cn: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "fake-kube-cert-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    // EC keys are generated in milliseconds, RSA ones in a noticeable fraction of a second.
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${cn}`,
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "pipe" },
    );
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  } catch (e) {
    throw new Error(`fake-kube needs \`openssl\` on PATH to make a test certificate: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A throw-away certificate for 127.0.0.1/localhost, made once per process with the system `openssl`
 * (present on these machines and in CI, which run on the same image): no dependency needed.
 */
export function testCertificate(): TestCertificate {
  cached ??= makeCertificate("fake-kube");
  return cached;
}
