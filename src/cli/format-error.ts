import { InternalError, RunbookError, RunbookErrors } from "../engine/errors.js";
import { createStyle, type Style } from "../engine/report/style.js";
import { formatLocation, renderExcerpt } from "../engine/source.js";

// Where bugs go: the package's `bugs` field when it has one, else the maintainers' tracker in general.
export const ISSUES_URL = "the runbook issue tracker";

export interface FormatErrorOptions {
  color: boolean;
  /** Applied to the whole text: the CLI passes its SecretMasker's mask unless --show-secrets. */
  mask?: ((text: string) => string) | undefined;
  /** Shown in bug reports. */
  version?: string | undefined;
  issuesUrl?: string | undefined;
}

/**
 * An error as the CLI prints it. A RunbookError is the user's to fix: `file:line:col: error[code]: message`,
 * the source with a caret, a hint and details. Anything else is runbook's bug, said so plainly, with the stack.
 */
export function formatError(err: unknown, opts: FormatErrorOptions): string {
  const style = createStyle(opts.color);
  let text: string;
  if (err instanceof RunbookError) text = formatUserError(err, style);
  else if (err instanceof RunbookErrors) {
    const n = err.errors.length;
    text = [...err.errors.map((e) => formatUserError(e, style)), style.bold(`${n} error${n === 1 ? "" : "s"}`)].join(
      "\n\n",
    );
  } else text = formatBug(err, style, opts);
  return (opts.mask ?? ((t: string) => t))(text);
}

function formatUserError(err: RunbookError, style: Style): string {
  const where = err.location ? `${style.bold(formatLocation(err.location))}: ` : "";
  const lines = [`${where}${style.bold(style.red(`error[${err.code}]`))}: ${err.message}`];
  const excerpt = err.location ? renderExcerpt(err.location) : "";
  if (excerpt) lines.push(colourCaret(excerpt, style));
  if (err.hint) lines.push(`${style.cyan("hint")}: ${err.hint}`);
  for (const d of err.details) lines.push(`  ${d}`);
  const cause = causeMessage(err);
  if (cause) lines.push(`${style.dim("cause")}: ${cause}`);
  return lines.join("\n");
}

// The caret line is the last line of an excerpt.
function colourCaret(excerpt: string, style: Style): string {
  const lines = excerpt.split("\n");
  const last = lines.pop() ?? "";
  return [...lines.map((l) => style.dim(l.replace(/ \| .*$/, " |")) + l.replace(/^[^|]*\|/, "")), style.red(last)].join(
    "\n",
  );
}

// A wrapped error (YAML parser, fs) often says something the message does not.
function causeMessage(err: Error): string | undefined {
  const cause = err.cause;
  if (cause === undefined) return undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return message && !err.message.includes(message) ? message : undefined;
}

function formatBug(err: unknown, style: Style, opts: FormatErrorOptions): string {
  const message = err instanceof Error ? err.message : String(err);
  const kind = err instanceof InternalError ? "" : err instanceof Error ? `${err.name}: ` : "thrown: ";
  const env = [
    opts.version ? `runbook ${opts.version}` : "runbook",
    `node ${process.version}`,
    `${process.platform} ${process.arch}`,
  ];
  const lines = [
    `${style.bold(style.red("runbook has a bug"))}: ${kind}${message}`,
    `This is not a problem with your playbook. Please report it to ${opts.issuesUrl ?? ISSUES_URL} with this output.`,
    "",
    env.join(", "),
  ];
  let e: unknown = err;
  // The stack of each cause too: the first frame of the real failure is usually in the innermost one.
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    const stack = e.stack ?? `${e.name}: ${e.message}`;
    lines.push(style.dim(depth === 0 ? stack : `caused by: ${stack}`));
    if (e.cause !== undefined && !(e.cause instanceof Error)) lines.push(style.dim(`caused by: ${String(e.cause)}`));
  }
  return lines.join("\n");
}
