import { loadPlaybook } from "../engine/load/playbook.js";
import { checkTagNames, listTags, listTasks } from "../engine/run/tags.js";
import { type CommonOptions, common } from "./common.js";

export interface ListOptions extends CommonOptions {
  tags?: string[];
  skipTags?: string[];
  listTags?: boolean;
  listTasks?: boolean;
}

/** `--list-tags` / `--list-tasks` (as ansible-playbook's): print and run nothing. Undefined when neither is asked for. */
export function listCommand(file: string, opts: ListOptions): number | undefined {
  if (!opts.listTags && !opts.listTasks) return undefined;
  const c = common(opts);
  const pb = loadPlaybook(file, { presetPaths: c.presetPaths });
  const only = opts.tags ?? [];
  const skip = opts.skipTags ?? [];
  checkTagNames(pb, only, skip);
  if (opts.listTags) process.stdout.write(listTags(pb));
  if (opts.listTasks) process.stdout.write(listTasks(pb, only, skip));
  return 0;
}
