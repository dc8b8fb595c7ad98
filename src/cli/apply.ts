import { checkPlaybook } from "../api.js";
import { RunbookError } from "../engine/errors.js";
import { killAllSteps } from "../engine/io/exec.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { colorStyle, plainStyle } from "../engine/plan/text.js";
import { chooseColor, chooseOutputMode, createReporter, SecretMasker } from "../engine/report/index.js";
import { Runner } from "../engine/run/runner.js";
import type { PlanEntry } from "../engine/run/types.js";
import { type CommonOptions, common, playbookFile } from "./common.js";
import { exitCodeOf, printError } from "./errors.js";
import { type FleetCliOptions, fleetApply, isFleetRun } from "./fleet.js";
import { listCommand } from "./list.js";
import { confirm, preRunSummary } from "./summary.js";

export interface ApplyOptions extends CommonOptions, FleetCliOptions {
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  dryRun?: boolean;
  diff?: boolean;
  forceHandlers?: boolean;
  output?: "tty" | "plain" | "json";
  verbose?: boolean;
  confirm?: boolean;
  showSecrets?: boolean;
  listTags?: boolean;
  listTasks?: boolean;
}

export async function applyCommand(file: string, opts: ApplyOptions): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    // A second Ctrl-C stops waiting for children to die: kill the step's tree at once and leave.
    if (interrupts > 1) {
      killAllSteps("SIGKILL");
      process.stderr.write("interrupted again; the step's processes were killed\n");
      process.exit(130);
    }
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  process.on("SIGHUP", onSigint);
  // One masker for the check pass, the run, the reporter and any error: the run teaches it every secret it meets.
  const masker = new SecretMasker();
  const mask = (t: string) => (opts.showSecrets ? t : masker.mask(t));
  try {
    const listed = listCommand(file, opts);
    if (listed !== undefined) return listed;
    const c = common(opts);
    masker.addVars(c.extraVars);
    const pb = loadPlaybook(playbookFile(file), { presetPaths: c.presetPaths, extraVars: c.extraVars });
    masker.addVars(pb.vars).addVars(pb.varsFiles);
    const runOpts = {
      ...c,
      masker,
      tags: opts.tags,
      skipTags: opts.skipTags,
      startAtTask: opts.startAtTask,
      forceHandlers: opts.forceHandlers,
      mode: opts.dryRun ? ("dry-run" as const) : ("run" as const),
      signal: controller.signal,
    };
    if (isFleetRun(pb, opts)) return await fleetApply(pb, opts, runOpts);
    const checked: PlanEntry[] = [];
    await checkPlaybook(pb, { ...runOpts, onPlan: (e) => checked.push(e) });
    const tty = process.stdout.isTTY === true && !process.env.CI && opts.output !== "json" && opts.output !== "plain";
    if (opts.confirm && !process.stdin.isTTY) {
      throw new RunbookError("usage", "--confirm needs a terminal to ask in", {
        hint: "drop --confirm in CI, or review `runbook plan` output first",
      });
    }
    if (tty || opts.confirm)
      process.stderr.write(
        preRunSummary(
          checked,
          chooseColor({ isTTY: process.stderr.isTTY === true, env: process.env }) ? colorStyle : plainStyle,
        ),
      );
    if (opts.confirm && !(await confirm("Apply these changes? [y/N] "))) {
      process.stderr.write("nothing was changed\n");
      return 0;
    }
    const isTTY = process.stdout.isTTY === true;
    const reporter = createReporter({
      mode: chooseOutputMode({ flag: opts.output, isTTY, env: process.env }),
      stream: process.stdout,
      verbose: opts.verbose === true,
      color: chooseColor({ isTTY, env: process.env }),
      showSecrets: opts.showSecrets === true,
      masker,
    });
    let summary: Awaited<ReturnType<Runner["run"]>>;
    try {
      summary = await new Runner(pb, { ...runOpts, onEvent: (e) => reporter.onEvent(e) }).run();
    } finally {
      await reporter.close();
    }
    if (summary.status === "interrupted") {
      const at = summary.stoppedAt;
      const where = at ? ` ${summary.stoppedAfter ? "after" : "during"} [${at.id}] ${at.name}` : "";
      const what = summary.stoppedAfter
        ? "it had finished (its result above says what it did)"
        : "its processes were stopped";
      process.stderr.write(`interrupted${where}; ${what}\n`);
      return 130;
    }
    return summary.status === "ok" ? 0 : 1;
  } catch (e) {
    printError(e, mask);
    return exitCodeOf(e);
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    process.off("SIGHUP", onSigint);
  }
}
