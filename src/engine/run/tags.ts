import { RunbookError } from "../errors.js";
import type { Playbook, Step } from "../load/model.js";
import { formatLocation } from "../source.js";
import { didYouMean } from "../suggest.js";

/** Names `--tags`/`--skip-tags` understand without any step carrying them (Ansible's). */
export const SPECIAL_TAGS = ["all", "tagged", "untagged", "always", "never"];

/** A step's own tags, as written. */
export function ownTags(step: Step): string[] {
  const own = step.raw.tags;
  return own === undefined ? [] : [own].flat().map(String);
}

/** Ansible's tag rules: `always` runs unless skipped by name, `never` only when asked for. Gives why a step is left out. */
export function tagFilterReason(tags: string[], only: string[], skip: string[]): string | undefined {
  const hit = tags.find((t) => skip.includes(t));
  if (hit) return `--skip-tags ${hit}`;
  // The special names, as Ansible reads them: `all` spares only `always`.
  if (skip.includes("all") && !tags.includes("always")) return "--skip-tags all";
  if (skip.includes("tagged") && tags.length && !tags.includes("always")) return "--skip-tags tagged";
  if (skip.includes("untagged") && !tags.length) return "--skip-tags untagged";
  if (tags.includes("always")) return undefined;
  const others = tags.filter((t) => t !== "never");
  if (tags.includes("never") && !only.some((t) => t === "never" || others.includes(t)))
    return others.length ? `tagged never: runs only with --tags ${others.join(" or ")}` : "tagged never";
  if (only.length === 0 || only.includes("all")) return undefined;
  if (only.includes("tagged") && tags.length) return undefined;
  if (only.includes("untagged") && !tags.length) return undefined;
  if (tags.some((t) => only.includes(t))) return undefined;
  return `not in --tags ${only.join(",")}`;
}

/** The steps inside a block (with rescue and always), a static include or a preset; undefined for a plain step. */
export function childrenOf(step: Step): Step[] | undefined {
  if (step.kind === "block" && step.block) return [...step.block.block, ...step.block.rescue, ...step.block.always];
  if (step.kind === "include") return step.include?.steps ?? [];
  if (step.kind === "preset") return step.preset?.tasks ?? [];
  return undefined;
}

interface Visit {
  step: Step;
  depth: number;
  /** Own tags plus those of the blocks, includes and presets around it. */
  tags: string[];
}

/** Every step that can be known before the run (blocks with rescue/always, static includes, presets), in order. */
function* walk(steps: Step[], depth = 0, inherited: string[] = []): Generator<Visit> {
  for (const step of steps) {
    const tags = [...inherited, ...ownTags(step)];
    yield { step, depth, tags };
    yield* walk(childrenOf(step) ?? [], depth + 1, tags);
  }
}

interface Known {
  tags: Set<string>;
  /** False when some tags cannot be known before the run (a templated tag, an include whose file is a template). */
  complete: boolean;
}

function knownTags(pb: Playbook): Known {
  const tags = new Set<string>();
  let complete = true;
  const plays = pb.plays ?? [pb];
  for (const { step } of walk(plays.flatMap((p) => [...p.tasks, ...p.handlers]))) {
    for (const t of ownTags(step)) {
      if (t.includes("{{")) complete = false;
      else tags.add(t);
    }
    if (step.kind === "include" && !step.include) complete = false;
  }
  return { tags, complete };
}

/**
 * A tag in --tags/--skip-tags that no step has would silently select nothing (or skip nothing): a
 * typo must be an error before anything runs, naming the known tags and the closest one.
 */
export function checkTagNames(pb: Playbook, only: string[], skip: string[]): void {
  const known = knownTags(pb);
  if (!known.complete) return;
  for (const [flag, names] of [
    ["--tags", only],
    ["--skip-tags", skip],
  ] as const) {
    for (const name of names) {
      if (known.tags.has(name) || SPECIAL_TAGS.includes(name)) continue;
      const list = [...known.tags].sort();
      const close = didYouMean(name, list);
      throw new RunbookError("usage", `${flag} ${name}: no step has the tag \`${name}\``, {
        hint: `${close ? `did you mean \`${close}\`? ` : ""}${list.length ? `tags in this playbook: ${list.join(", ")}` : "no step in this playbook has tags"}; see them with --list-tags`,
      });
    }
  }
}

/** `--list-tags`: every tag a step carries, one per line, sorted. */
export function listTags(pb: Playbook): string {
  const known = knownTags(pb);
  const lines = [...known.tags].sort();
  if (!known.complete) lines.push("(some tags are known only at run time: a templated tag or include)");
  return lines.length ? `${lines.join("\n")}\n` : "no step has tags\n";
}

/** `--list-tasks`: the steps --tags/--skip-tags select, indented by nesting, with their tags and where they are. */
export function listTasks(pb: Playbook, only: string[], skip: string[]): string {
  const lines = (steps: Step[], depth: number, inherited: string[]): string[] =>
    steps.flatMap((step) => {
      const tags = [...inherited, ...ownTags(step)];
      const kids = childrenOf(step);
      // A block, include or preset is listed when something inside it is selected.
      const inner = kids ? lines(kids, depth + 1, tags) : [];
      if (kids ? inner.length === 0 : tagFilterReason(tags, only, skip) !== undefined) return [];
      const name = typeof step.raw.name === "string" ? step.raw.name : step.actionKey;
      const where = step.location ? `  (${formatLocation(step.location)})` : "";
      const shown = tags.length ? `  [${[...new Set(tags)].join(", ")}]` : "";
      return [`${"  ".repeat(depth)}${name}${shown}${where}`, ...inner];
    });
  const out = lines(pb.tasks, 0, []);
  return out.length ? `${out.join("\n")}\n` : "no step is selected\n";
}

/** --start-at-task: could a plain step inside be the one named `target`? A templated name matches on its literal parts. */
export function mayHoldStep(step: Step, target: string): boolean {
  // An include whose file is a template is known only at run time.
  if (step.kind === "include" && !step.include) return true;
  return (childrenOf(step) ?? []).some((s) => {
    if (childrenOf(s) !== undefined) return mayHoldStep(s, target);
    const name = s.raw.name;
    if (typeof name !== "string") return false;
    if (!name.includes("{{")) return name === target;
    const pattern = name
      .split(/\{\{[\s\S]*?\}\}/)
      .map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("[\\s\\S]*");
    return new RegExp(`^${pattern}$`).test(target);
  });
}
