export { isUnreachable, UnreachableError } from "./errors.js";
export {
  type SshExecOptions,
  type SshExecResult,
  type SshHost,
  SshTransport,
  type SshTransportOptions,
} from "./transport.js";
