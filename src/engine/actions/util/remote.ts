import type { ActionContext } from "../types.js";
import { ActionFailure } from "../types.js";

/** download and unarchive still write with node:fs on the controller: on an SSH host they would write to the wrong machine. */
export function remoteNotYet(ctx: ActionContext, action: string): void {
  if (ctx.local !== false) return;
  throw new ActionFailure(`${action} does not run on SSH hosts yet (it would write on the controller)`, {
    hint: "use `shell` with curl/tar on the host, or `copy` a file fetched on the controller",
  });
}
