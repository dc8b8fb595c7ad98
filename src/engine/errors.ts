import type { SourceLocation } from "./source.js";

/**
 * Stable error codes, grouped by the phase that raises them. Codes before `step-failed`
 * are user input problems found before anything ran (exit 2).
 */
export type ErrorCode =
  | "usage"
  | "yaml"
  | "schema"
  | "unknown-key"
  | "template"
  | "expression"
  | "include"
  | "include-cycle"
  | "vars-file"
  | "preset"
  | "preset-param"
  | "step-failed"
  | "interrupted"
  | "unreachable"
  | "internal";

const EXIT_CODES: Record<ErrorCode, number> = {
  usage: 2,
  yaml: 2,
  schema: 2,
  "unknown-key": 2,
  template: 2,
  expression: 2,
  include: 2,
  "include-cycle": 2,
  "vars-file": 2,
  preset: 2,
  "preset-param": 2,
  "step-failed": 1,
  interrupted: 130,
  unreachable: 4,
  internal: 70,
};

export interface RunbookErrorOptions {
  location?: SourceLocation | undefined;
  hint?: string | undefined;
  cause?: unknown;
  /** Extra lines shown under the message (e.g. an include chain). */
  details?: string[] | undefined;
}

/** A problem with the user's input or run: it carries a code, a location and a hint. */
export class RunbookError extends Error {
  readonly code: ErrorCode;
  location: SourceLocation | undefined;
  hint: string | undefined;
  details: string[];

  constructor(code: ErrorCode, message: string, options: RunbookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RunbookError";
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  /** Attach a location if the error does not have one yet (the innermost location wins). */
  at(location: SourceLocation | undefined): this {
    if (!this.location && location) this.location = location;
    return this;
  }
}

/** Several user errors found together, e.g. by `runbook validate`. */
export class RunbookErrors extends Error {
  readonly errors: RunbookError[];
  constructor(errors: RunbookError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "RunbookErrors";
    this.errors = errors;
  }
  get exitCode(): number {
    return Math.max(...this.errors.map((e) => e.exitCode));
  }
}

/** A bug in runbook itself, kept apart from "your playbook failed". */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}

export function isRunbookError(e: unknown): e is RunbookError {
  return e instanceof RunbookError;
}
