import { buildArgv, type ExecAdapter } from "../exec.js";
import { sq } from "./quote.js";
import type { SshHost, SshTransport } from "./transport.js";

/** Processes on an SSH host: the same requests as the local adapter, run through the host's master connection. */
export function sshExec(ssh: SshTransport, host: SshHost): ExecAdapter {
  return {
    async run(req) {
      const cmd =
        req.shell !== undefined
          ? `${sq(req.executable ?? "/bin/sh")} -c ${sq(req.shell)}`
          : (req.argv ?? []).map(sq).join(" ");
      if (!cmd) throw new Error("empty command");
      const r = await ssh.exec(host, cmd, {
        env: req.env,
        cwd: req.cwd,
        become: req.become,
        becomeUser: req.becomeUser,
        stdin: req.stdin,
        signal: req.signal,
        timeoutMs: req.timeoutMs,
        onOutput: req.onOutput,
      });
      // The argv shown in plans and results is what runs on the host, as it would locally.
      return { ...r, argv: buildArgv({ ...req, env: req.env }) };
    },
  };
}
