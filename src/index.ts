/** runbook's public API. */
export { checkPlaybook, planPlaybook, runPlaybook } from "./api.js";
export type { ActionContext, ActionDef, ActionResult, PlanInfo } from "./engine/actions/types.js";
export { defineAction } from "./engine/actions/types.js";
export type { ErrorCode } from "./engine/errors.js";
export { InternalError, RunbookError, RunbookErrors } from "./engine/errors.js";
export type { RunEvent, Stats, StepRef, StepStatus } from "./engine/events.js";
export type { Facts } from "./engine/facts.js";
export { createFacts } from "./engine/facts.js";
export type { Playbook, Step } from "./engine/load/model.js";
export { loadPlaybook } from "./engine/load/playbook.js";
export type { RunSummary } from "./engine/run/runner.js";
export type { PlanEntry, RunMode, RunOptions } from "./engine/run/types.js";
export type { SourceLocation } from "./engine/source.js";
export { VERSION } from "./version.js";
