/**
 * Replays the fixture run into a reporter with realistic pauses, to look at the live display:
 *
 *   npx tsc -p tsconfig.json --outDir node_modules/.cache/rb-out
 *   tmux new-session -d -s r 'npx node node_modules/.cache/rb-out/test/support/replay-events.js tty; sleep 60'
 *   tmux capture-pane -p -t r
 *
 * Arguments: the mode (tty, plain, json), then -v for verbose, --fast to replay without pauses.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RunEvent } from "../../src/engine/events.js";
import { chooseColor, createReporter, type OutputMode, SecretMasker } from "../../src/engine/report/index.js";
import { FIXTURE_VARS, fixtureRun } from "./fixture-run.js";

// How long the engine would take before emitting each kind of event.
const PAUSE: Partial<Record<RunEvent["kind"], number>> = {
  "step-end": 700,
  "item-end": 400,
  output: 300,
  retry: 900,
  "run-end": 300,
};

const [mode = "tty", ...flags] = process.argv.slice(2);
const reporter = createReporter({
  mode: mode as OutputMode,
  stream: process.stdout,
  verbose: flags.includes("-v"),
  color: chooseColor({ isTTY: process.stdout.isTTY === true, env: process.env }),
  showSecrets: false,
  masker: new SecretMasker(FIXTURE_VARS),
});
for (const event of fixtureRun()) {
  if (!flags.includes("--fast")) await sleep(PAUSE[event.kind] ?? 150);
  reporter.onEvent(event);
}
await reporter.close();
