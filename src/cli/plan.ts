import { planPlaybook } from "../api.js";
import { killAllSteps } from "../engine/io/exec.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { planDocument } from "../engine/plan/document.js";
import { colorStyle, plainStyle, planText } from "../engine/plan/text.js";
import { chooseColor } from "../engine/report/mode.js";
import { maskDeep, SecretMasker } from "../engine/secrets.js";
import { VERSION } from "../version.js";
import { type CommonOptions, common, playbookFile } from "./common.js";
import { exitCodeOf, printError } from "./errors.js";
import { type FleetCliOptions, isFleetRun } from "./fleet.js";
import { fleetPlan } from "./fleet-plan.js";
import { listCommand } from "./list.js";

export interface PlanOptions extends CommonOptions, FleetCliOptions {
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  format?: "text" | "json";
  showSecrets?: boolean;
  listTags?: boolean;
  listTasks?: boolean;
}

/** `runbook plan`: the dry run as a document. Nothing is changed; probes marked check_mode: false run. */
export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const masker = new SecretMasker();
  const mask = (t: string) => (opts.showSecrets ? t : masker.mask(t));
  // A plan changes nothing, so an interrupt needs no unwinding: kill the probes' processes (check_mode: false) and leave.
  const onSignal = () => {
    killAllSteps("SIGKILL");
    process.stderr.write("plan interrupted; its processes were killed\n");
    process.exit(130);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, onSignal);
  try {
    const listed = listCommand(file, opts);
    if (listed !== undefined) return listed;
    const c = common(opts);
    masker.addVars(c.extraVars);
    const pb = loadPlaybook(playbookFile(file), { presetPaths: c.presetPaths, extraVars: c.extraVars });
    if (isFleetRun(pb, opts)) {
      masker.addVars(pb.vars).addVars(pb.varsFiles);
      const style = chooseColor({ isTTY: process.stdout.isTTY === true, env: process.env }) ? colorStyle : plainStyle;
      const runOpts = { ...c, masker, tags: opts.tags, skipTags: opts.skipTags, startAtTask: opts.startAtTask };
      return await fleetPlan(pb, opts, runOpts, style, mask);
    }
    const { playbook, entries, summary } = await planPlaybook(pb, {
      ...c,
      masker,
      tags: opts.tags,
      skipTags: opts.skipTags,
      startAtTask: opts.startAtTask,
    });
    const error =
      summary.error?.message ??
      (summary.stoppedAt
        ? `step [${summary.stoppedAt.id}] ${summary.stoppedAt.name} failed during the plan`
        : undefined);
    const doc = planDocument(playbook, entries, { status: summary.status, error, version: VERSION });
    const style = chooseColor({ isTTY: process.stdout.isTTY === true, env: process.env }) ? colorStyle : plainStyle;
    // JSON is masked value by value before it is serialised, so that escaping cannot hide a secret.
    process.stdout.write(
      opts.format === "json" ? `${JSON.stringify(maskDeep(doc, mask), null, 2)}\n` : mask(planText(doc, style)),
    );
    return summary.status === "ok" ? 0 : summary.status === "interrupted" ? 130 : 1;
  } catch (e) {
    printError(e, mask);
    return exitCodeOf(e);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
