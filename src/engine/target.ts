import { existsSync } from "node:fs";
import { type FactSource, localFactSource } from "./facts.js";
import { type ExecAdapter, localExec } from "./io/exec.js";
import { type FsAdapter, localFs } from "./io/fs.js";
import { localProbe, type ProbeAdapter } from "./io/probe.js";

/**
 * The machine a step acts on. Every adapter an action uses comes from here, so that a remote host
 * (the SSH transport: exec, putFile, getFile) is a new Target, not a rewrite of the actions.
 * Files that belong to the controller (a `copy` src, a template, a manifest) are not read through
 * the target: see ControllerReader.
 */
export interface Target {
  /** A short name for messages and events: "local", "ssh://pi@node1". */
  readonly name: string;
  /** Run processes on the target. */
  readonly exec: ExecAdapter;
  /** The target's file system (reads, atomic writes, stat...). */
  readonly fs: FsAdapter;
  /** Network checks as seen from the target (wait_for). */
  readonly probe: ProbeAdapter;
  /** Where `facts` are gathered (synchronously: templates are synchronous). */
  readonly facts: FactSource;
  /** The target's process environment (proxies, PATH, HOME). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The file system with become applied to writes (sudo on an SSH host); `fs` when absent. */
  readonly fsAs?: ((become: boolean, becomeUser: string | undefined) => FsAdapter) | undefined;
  /** false for a remote host. */
  readonly local?: boolean | undefined;
  /** Drop the connection (SSH master) so the next command opens a new one: after a reboot. */
  readonly reconnect?: (() => Promise<void>) | undefined;
}

/** Reads files on the controller (the machine runbook runs on), whatever the target is. */
export interface ControllerReader {
  /** The bytes of a controller file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  exists(path: string): boolean;
}

/** This machine, with the real adapters; `patch` swaps some of them (tests). */
export function localTarget(patch: Partial<Omit<Target, "name">> = {}): Target {
  return {
    name: "local",
    exec: patch.exec ?? localExec,
    fs: patch.fs ?? localFs,
    probe: patch.probe ?? localProbe,
    facts: patch.facts ?? localFactSource,
    env: patch.env ?? process.env,
  };
}

/** The controller's own files, read with node:fs (through the local FsAdapter). */
export const localController: ControllerReader = {
  readFile: (path) => localFs.readFile(path),
  exists: (path) => existsSync(path),
};
