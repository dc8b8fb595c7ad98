export interface Case {
  id: string;
  dir: string;
  title: string;
  ansible_args?: string[];
  runbook_args?: string[];
  modes?: boolean;
  difference?: string;
  known_bug?: string;
}
export interface Outcome {
  status: "ok" | "failed" | "invalid";
  recap: Record<string, number> | null;
  files: Record<string, unknown>;
}
export const CASES: string;
export function loadCases(): Case[];
export function prepare(c: Case): string;
export function snapshot(tmp: string, withModes?: boolean): Record<string, unknown>;
export function runAnsible(c: Case, tmp: string): { outcome: Outcome; text: string };
export function runRunbook(c: Case, tmp: string, node: string, cli: string): { outcome: Outcome; text: string };
