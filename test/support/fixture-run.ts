import type { RunEvent, StepRef } from "../../src/engine/events.js";

/** The playbook the fixture run pretends to execute (registered as a source by tests that need excerpts). */
export const FIXTURE_FILE = "playbooks/dev.yml";

/** Secret-looking variables of the fixture run: their values appear in commands and output below. */
export const FIXTURE_VARS = { registry_password: "hunter2-s3cret", api_token: "tok-abcdef123456", mesh: "dev" };

/** A value only a no_log step sees: it must never be printed. */
export const NO_LOG_VALUE = "super-private-value";

function step(id: string, name: string, action: string, line: number, extra: Partial<StepRef> = {}): StepRef {
  return { id, name, action, location: { file: FIXTURE_FILE, line, col: 3 }, chain: [], depth: 0, ...extra };
}

// As the engine numbers them: one counter for the run. Blocks, includes and presets have no
// events of their own; the steps inside them carry them in `chain`.
const istioPreset = { kind: "preset" as const, name: "istio", location: { file: FIXTURE_FILE, line: 7, col: 3 } };
const upgradeBlock = {
  kind: "block" as const,
  name: "Upgrade control plane",
  location: { file: FIXTURE_FILE, line: 28, col: 3 },
};
const facts = step("1", "Gather facts", "print", 4);
const istioctl = step("2", "Install istioctl", "shell", 8, { depth: 1, chain: [istioPreset] });
const darwin = step("3", "Install on darwin", "shell", 13, { depth: 1, chain: [istioPreset] });
const namespaces = step("4", "Create namespaces", "k8s", 17);
const precheck = step("5", "Check the old release", "command", 24);
const apply = step("6", "Apply revision canary", "shell", 30, { depth: 1, chain: [upgradeBlock] });
const rollback = step("7", "Roll back to stable", "shell", 34, { depth: 1, chain: [upgradeBlock] });
const waitIstiod = step("8", "Wait for istiod", "k8s_info", 38);
const login = step("9", "Log in to the registry", "shell", 44, { noLog: true });
const verify = step("10", "Verify the mesh", "command", 49);

const stderrLines = (n: number, what: string) => Array.from({ length: n }, (_, i) => `${what} ${i + 1}`).join("\n");

/**
 * A run with every status: ok, changed, skipped, failed-but-ignored, a rescued block, a loop of
 * three items, retries, a no_log step, secrets in commands and output, and a final failure.
 */
export function fixtureRun(): RunEvent[] {
  const ns = (index: number, label: string, status: "ok" | "changed", ms: number): RunEvent[] => [
    { kind: "item-start", step: namespaces, index, label },
    {
      kind: "item-end",
      step: namespaces,
      index,
      label,
      status,
      result: { changed: status === "changed" },
      durationMs: ms,
    },
  ];
  return [
    { kind: "run-start", playbook: "Istio for a dev cluster", file: FIXTURE_FILE, dryRun: false, version: "0.1.0" },
    {
      kind: "warning",
      message: "vars_files entry vars/old.yml is empty",
      location: { file: FIXTURE_FILE, line: 2, col: 13 },
    },
    { kind: "warning", message: "api_token (tok-abcdef123456) is set but never used" },
    { kind: "step-start", step: facts },
    { kind: "step-end", step: facts, status: "ok", result: { changed: false, msg: "linux/arm64" }, durationMs: 12 },
    { kind: "step-start", step: istioctl },
    {
      kind: "output",
      step: istioctl,
      stream: "stdout",
      chunk: "Downloading istio-1.30.4 for linux/arm64\nusing password hunter2-s3cret for the mirror\n",
    },
    { kind: "output", step: istioctl, stream: "stdout", chunk: "istioctl installed to /home/pi/.local/bin" },
    { kind: "handler-notified", step: istioctl, handler: "restart istiod" },
    { kind: "step-end", step: istioctl, status: "changed", result: { changed: true, rc: 0 }, durationMs: 1234 },
    { kind: "step-start", step: darwin },
    {
      kind: "step-end",
      step: darwin,
      status: "skipped",
      reason: 'when: facts.os == "darwin"',
      result: { skipped: true },
      durationMs: 0,
    },
    { kind: "step-start", step: namespaces },
    ...ns(0, "istio-system", "ok", 210),
    ...ns(1, "istio-ingress", "changed", 340),
    ...ns(2, "demo", "changed", 320),
    {
      kind: "step-end",
      step: namespaces,
      status: "changed",
      result: { changed: true, results: [{}, {}, {}] },
      durationMs: 905,
    },
    { kind: "step-start", step: precheck },
    {
      kind: "step-end",
      step: precheck,
      status: "ignored",
      result: {
        failed: true,
        rc: 1,
        cmd: ["istioctl", "x", "precheck"],
        msg: "non-zero return code",
        stderr: "Error: 1 issue found\nIST0136 deprecated annotation",
      },
      durationMs: 480,
    },
    { kind: "step-start", step: apply },
    { kind: "output", step: apply, stream: "stderr", chunk: "applying revision canary\n" },
    {
      kind: "step-end",
      step: apply,
      status: "failed",
      result: {
        failed: true,
        rc: 1,
        cmd: "istioctl install --revision canary -y --set values.global.hub=registry.local --token tok-abcdef123456",
        msg: "non-zero return code",
        stderr: stderrLines(25, "error: webhook not ready, line"),
      },
      durationMs: 2100,
    },
    { kind: "step-start", step: rollback },
    { kind: "step-end", step: rollback, status: "changed", result: { changed: true, rc: 0 }, durationMs: 650 },
    { kind: "step-start", step: waitIstiod },
    { kind: "retry", step: waitIstiod, attempt: 1, retries: 5, delayMs: 3000, msg: "deployment istiod: 0/1 ready" },
    { kind: "retry", step: waitIstiod, attempt: 2, retries: 5, delayMs: 3000, msg: "deployment istiod: 0/1 ready" },
    { kind: "step-end", step: waitIstiod, status: "ok", result: { changed: false, attempts: 3 }, durationMs: 6050 },
    { kind: "step-start", step: login },
    { kind: "output", step: login, stream: "stdout", chunk: `token ${NO_LOG_VALUE}\n` },
    {
      kind: "step-end",
      step: login,
      status: "ok",
      result: { changed: false, rc: 0, cmd: `login --password ${NO_LOG_VALUE}`, stdout: NO_LOG_VALUE },
      durationMs: 300,
    },
    { kind: "step-start", step: verify },
    { kind: "output", step: verify, stream: "stdout", chunk: "checking 42 resources\n" },
    {
      kind: "step-end",
      step: verify,
      status: "failed",
      result: {
        failed: true,
        rc: 2,
        cmd: ["istioctl", "verify-install", "--revision", "canary"],
        msg: "non-zero return code",
        stdout: stderrLines(30, "✔ resource"),
        stderr: "Error: 2 resources not ready\nDeployment istio-system/istiod-canary: 0/1",
      },
      durationMs: 1520,
    },
    {
      kind: "run-end",
      status: "failed",
      stats: { ok: 3, changed: 3, skipped: 1, failed: 1, ignored: 1, rescued: 1 },
      durationMs: 13_900,
      stoppedAt: verify,
      error: "step [10] Verify the mesh failed",
    },
  ];
}
