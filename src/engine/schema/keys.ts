import { z } from "zod";

/** A CEL expression, a boolean, or a list of them (all must hold). */
export const conditionSchema = z
  .union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))])
  .describe("A CEL expression (no {{ }}), a boolean, or a list of them that must all hold");

/**
 * A step key's duration as written — the grammar duration.ts parses ("1h30m", no spaces between parts) —
 * or a template, checked once rendered. A pattern rather than a refine, so editors check it too.
 */
export const stepDurationSchema = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .regex(
        /^\s*(\d+(\.\d+)?(ms|h|m|s))+\s*$|^\s*\d+(\.\d+)?\s*$|\{\{/,
        'not a duration; write e.g. "30s", "5m", "1h30m", "250ms" or a number of seconds',
      ),
  ])
  .describe('A duration: "30s", "5m", "1h30m", "250ms", or a number of seconds');

const stringList = z.union([z.string(), z.array(z.string())]);
// JSON Schema patterns carry no flags, so each letter is written in both cases.
/** A boolean step key: true/false, Ansible's yes/no/on/off in any case, or a template rendered then read so. */
const booleanKey = z.union([
  z.boolean(),
  z
    .string()
    .regex(
      /^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff])\s*$|\{\{/,
      "must be true/false, yes/no, on/off or a {{ template }}",
    ),
]);

/** Keys any step may carry besides its one action. Each field is described for the JSON Schema. */
export const stepKeySchemas = {
  name: z.string().describe("Shown in progress output and the plan; templated"),
  when: conditionSchema.describe("Run the step only if this holds (checked per loop item). CEL, no {{ }}"),
  loop: z
    .union([z.array(z.unknown()), z.string(), z.record(z.string(), z.unknown())])
    .describe("Run the step once per item: a list, or a template that yields a list or map"),
  with_items: z
    .union([z.array(z.unknown()), z.string()])
    .describe("Like loop, but nested lists are flattened one level (Ansible compatibility)"),
  loop_control: z
    .object({
      loop_var: z
        .string()
        .regex(/^[A-Za-z_]\w*$/)
        .optional()
        .describe("Name of the item variable (default item)"),
      index_var: z
        .string()
        .regex(/^[A-Za-z_]\w*$/)
        .optional()
        .describe("Variable holding the 0-based item index"),
      label: z.string().optional().describe("What progress output shows per item; templated"),
      pause: stepDurationSchema.optional().describe("Pause between items"),
    })
    .strict()
    .describe("Options for loop"),
  register: z
    .string()
    .regex(/^[A-Za-z_]\w*$/, "must be a variable name (letters, digits, _)")
    .describe("Store the step's result under this variable name"),
  vars: z.record(z.string(), z.unknown()).describe("Variables for this step only"),
  changed_when: conditionSchema.describe(
    "Override `changed` with this condition (the result is `result` or the register name)",
  ),
  failed_when: conditionSchema.describe(
    "Override `failed` with this condition (the result is `result` or the register name)",
  ),
  ignore_errors: booleanKey.describe("Record a failure and go on"),
  until: conditionSchema.describe("Repeat the step until this holds; the result gets `attempts`"),
  retries: z
    .union([
      z.number().int().nonnegative(),
      z.string().regex(/^\s*\d+\s*$|\{\{/, "must be a whole number (or a {{ template }} that gives one)"),
    ])
    .describe("How many times to retry (default 3)"),
  delay: stepDurationSchema.describe('Pause between retries (default "5s")'),
  timeout: stepDurationSchema.describe("Kill the step (its whole process tree) after this long; 0 means no timeout"),
  tags: stringList.describe("Tags for --tags/--skip-tags; `always` and `never` behave as in Ansible"),
  notify: stringList.describe("Handler name(s) or listen topic(s) to run if the step changed something"),
  become: booleanKey.describe("Run through `sudo -n`"),
  become_user: z.string().describe("The user to become (default root)"),
  environment: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .describe("Extra environment variables for commands"),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe("Alias of environment"),
  cwd: z.string().describe("Working directory for commands"),
  no_log: booleanKey.describe("Redact the step's arguments and output everywhere"),
  check_mode: booleanKey.describe(
    "false: run even in a dry run (for read-only probes); true: only say what it would do, in every run",
  ),
  creates: z.string().describe("For shell/command: skip (ok) when this path exists"),
  removes: z.string().describe("For shell/command: skip (ok) when this path does not exist"),
  listen: stringList.describe("Handlers only: topic(s) this handler also answers to"),
  run_once: booleanKey.describe(
    "With an inventory: run on one host (the first to reach the step); every host registers its result",
  ),
  delegate_to: z
    .literal("localhost")
    .describe("`localhost`: run this step on the controller, with the host's variables (other hosts: not yet)"),
  with: z.record(z.string(), z.unknown()).describe("Parameters of the preset named by `preset:`"),
} as const;

export type StepKey = keyof typeof stepKeySchemas;

/** Keys a block step may carry. */
export const BLOCK_KEYS = new Set<string>([
  "name",
  "when",
  "tags",
  "vars",
  "become",
  "become_user",
  "environment",
  "env",
  "ignore_errors",
  "no_log",
  "cwd",
  "check_mode",
  "timeout",
  "block",
  "rescue",
  "always",
  "notify",
]);

/** Well-known keys from Ansible and Mooncake, with what to write instead. */
export const FOREIGN_KEY_HINTS: Record<string, string> = {
  import_tasks: "use `include: FILE`",
  include_tasks: "use `include: FILE`",
  import_playbook: "use `include: FILE`",
  meta: "use `flush_handlers: true` for `meta: flush_handlers`",
  args: "put the arguments under the action key, e.g. `shell: { cmd: ..., cwd: ... }`",
  become_method: "runbook always becomes through `sudo -n`",
  hosts: "`hosts:` belongs on a play (`- hosts: all` with `tasks:`) or at the top of the document, not on a step",
  gather_facts: "facts are gathered lazily under `facts.`; remove `gather_facts`",
  with_dict: "use `loop:` over a map: each item has `key` and `value`",
  with_list: "use `loop:`",
  unless: "use `when: !(...)`",
  local_action: "runbook runs locally; use the action directly",
};
