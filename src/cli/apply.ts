import { checkPlaybook } from "../api.js";
import { loadPlaybook } from "../engine/load/playbook.js";
import { Runner } from "../engine/run/runner.js";
import { plainLine } from "./basic-output.js";
import { type CommonOptions, common } from "./common.js";
import { exitCodeOf, printError } from "./errors.js";

export interface ApplyOptions extends CommonOptions {
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  dryRun?: boolean;
  diff?: boolean;
  forceHandlers?: boolean;
  output?: "tty" | "plain" | "json";
  verbose?: boolean;
}

export async function applyCommand(file: string, opts: ApplyOptions): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    // A second Ctrl-C stops waiting for children to die.
    if (interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    const c = common(opts);
    const pb = loadPlaybook(file, { presetPaths: c.presetPaths });
    const runOpts = {
      ...c,
      tags: opts.tags,
      skipTags: opts.skipTags,
      startAtTask: opts.startAtTask,
      forceHandlers: opts.forceHandlers,
      mode: opts.dryRun ? ("dry-run" as const) : ("run" as const),
      signal: controller.signal,
    };
    await checkPlaybook(pb, runOpts);
    const summary = await new Runner(pb, {
      ...runOpts,
      onEvent: (e) => {
        const line = plainLine(e);
        if (line !== undefined) process.stdout.write(`${line}\n`);
      },
    }).run();
    if (summary.status === "interrupted") {
      const at = summary.stoppedAt;
      process.stderr.write(`interrupted${at ? ` during [${at.id}] ${at.name}` : ""}; its processes were stopped\n`);
      return 130;
    }
    return summary.status === "ok" ? 0 : 1;
  } catch (e) {
    printError(e);
    return exitCodeOf(e);
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}
