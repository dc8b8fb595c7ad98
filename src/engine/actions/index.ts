import { assertAction } from "./assert.js";
import { blockinfileAction } from "./blockinfile.js";
import { commandAction } from "./command.js";
import { copyAction } from "./copy.js";
import { DIRECTIVE_ALIASES, DIRECTIVES } from "./directives.js";
import { downloadAction } from "./download.js";
import { failAction } from "./fail.js";
import { fetchAction } from "./fetch.js";
import { fileAction } from "./file.js";
import { k8sAction } from "./k8s.js";
import { k8sInfoAction } from "./k8s_info.js";
import { lineinfileAction } from "./lineinfile.js";
import { packageAction } from "./package.js";
import { printAction } from "./print.js";
import { rebootAction } from "./reboot.js";
import { serviceAction } from "./service.js";
import { shellAction } from "./shell.js";
import { templateAction } from "./template.js";
import type { ActionDef } from "./types.js";
import { unarchiveAction } from "./unarchive.js";
import { waitForAction } from "./wait-for.js";

// biome-ignore lint/suspicious/noExplicitAny: the registry holds actions of every argument type
type AnyAction = ActionDef<any>;

/** Every action, by canonical name. Add new actions here. */
export const ACTION_LIST: AnyAction[] = [
  shellAction,
  commandAction,
  printAction,
  assertAction,
  failAction,
  fileAction,
  copyAction,
  templateAction,
  waitForAction,
  downloadAction,
  unarchiveAction,
  k8sAction,
  k8sInfoAction,
  packageAction,
  serviceAction,
  rebootAction,
  lineinfileAction,
  blockinfileAction,
  fetchAction,
];

/** Action keys reserved for actions that land in later work: using one is a clear error, not "unknown key". */
export const RESERVED_ACTIONS: Record<string, string> = {};

const byKey = new Map<string, AnyAction>();
for (const a of ACTION_LIST) {
  byKey.set(a.name, a);
  for (const alias of a.aliases ?? []) byKey.set(alias, a);
}

export function registerAction(action: AnyAction): void {
  if (!ACTION_LIST.includes(action)) ACTION_LIST.push(action);
  byKey.set(action.name, action);
  for (const alias of action.aliases ?? []) byKey.set(alias, action);
  delete RESERVED_ACTIONS[action.name];
}

export function actionFor(key: string): AnyAction | undefined {
  return byKey.get(key);
}

/** The canonical directive name for a key (`set_fact` → `set_vars`), or undefined. */
export function directiveFor(key: string): keyof typeof DIRECTIVES | undefined {
  const name = DIRECTIVE_ALIASES[key] ?? key;
  return name in DIRECTIVES ? (name as keyof typeof DIRECTIVES) : undefined;
}

/** Every key that names what a step does (actions, aliases, directives, block). */
export function actionKeys(): string[] {
  return [
    ...byKey.keys(),
    ...Object.keys(DIRECTIVES),
    ...Object.keys(DIRECTIVE_ALIASES),
    ...Object.keys(RESERVED_ACTIONS),
    "block",
  ];
}

export type { AnyAction };
