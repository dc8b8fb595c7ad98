export { isUnreachable, UnreachableError } from "./errors.js";
export { sshExec } from "./exec.js";
export { gatherSshFacts } from "./facts.js";
export { sshFs } from "./fs.js";
export { sshProbe } from "./probe.js";
export { connectSshTarget, sshHostOf } from "./target.js";
export {
  type SshExecOptions,
  type SshExecResult,
  type SshHost,
  SshTransport,
  type SshTransportOptions,
} from "./transport.js";
