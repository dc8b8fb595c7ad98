import { planPlaybook } from "../api.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { planDocument } from "../engine/plan/document.js";
import { colorStyle, plainStyle, planText } from "../engine/plan/text.js";
import { chooseColor } from "../engine/report/mode.js";
import { SecretMasker } from "../engine/report/redact.js";
import { VERSION } from "../version.js";
import { type CommonOptions, common } from "./common.js";
import { exitCodeOf, printError } from "./errors.js";
import { type FleetCliOptions, isFleetRun } from "./fleet.js";
import { fleetPlan } from "./fleet-plan.js";

export interface PlanOptions extends CommonOptions, FleetCliOptions {
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  format?: "text" | "json";
  showSecrets?: boolean;
}

/** `runbook plan`: the dry run as a document. Nothing is changed; probes marked check_mode: false run. */
export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  try {
    const c = common(opts);
    const pb = loadPlaybook(file, { presetPaths: c.presetPaths });
    if (isFleetRun(pb, opts)) {
      const masker = new SecretMasker({ ...pb.vars, ...pb.varsFiles, ...c.extraVars });
      const style = chooseColor({ isTTY: process.stdout.isTTY === true, env: process.env }) ? colorStyle : plainStyle;
      const runOpts = { ...c, tags: opts.tags, skipTags: opts.skipTags, startAtTask: opts.startAtTask };
      return await fleetPlan(pb, opts, runOpts, style, (t) => (opts.showSecrets ? t : masker.mask(t)));
    }
    const { playbook, entries, summary } = await planPlaybook(pb, {
      ...c,
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
    const masker = new SecretMasker({ ...playbook.vars, ...playbook.varsFiles, ...c.extraVars });
    const mask = (t: string) => (opts.showSecrets ? t : masker.mask(t));
    const style = chooseColor({ isTTY: process.stdout.isTTY === true, env: process.env }) ? colorStyle : plainStyle;
    process.stdout.write(mask(opts.format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : planText(doc, style)));
    return summary.status === "ok" ? 0 : summary.status === "interrupted" ? 130 : 1;
  } catch (e) {
    printError(e);
    return exitCodeOf(e);
  }
}
