import type { ProbeAdapter } from "../probe.js";
import { sq } from "./quote.js";
import type { SshHost, SshTransport } from "./transport.js";

/**
 * wait_for as seen from the host: a TCP connect with bash's /dev/tcp (or nc), an HTTP status with
 * curl (or wget). The host needs one of each only when a playbook waits for something from there.
 */
export function sshProbe(ssh: SshTransport, host: SshHost): ProbeAdapter {
  return {
    async tcp(addr, port, timeoutMs, signal) {
      const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
      const script = `if command -v bash >/dev/null; then timeout ${secs} bash -c ${sq(`exec 3<>/dev/tcp/${addr}/${port}`)}; else nc -z -w ${secs} ${sq(addr)} ${port}; fi`;
      const r = await ssh.exec(host, script, { signal });
      if (r.interrupted) return { ok: false, detail: "interrupted" };
      return r.rc === 0
        ? { ok: true }
        : { ok: false, detail: r.stderr.split("\n").pop() || `connect failed (rc ${r.rc})` };
    },
    async http(url, statuses, timeoutMs, signal) {
      const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
      const script = `if command -v curl >/dev/null; then curl -s -L -o /dev/null -m ${secs} -w '%{http_code}' ${sq(url)}; else wget -q -S -O /dev/null -T ${secs} ${sq(url)} 2>&1 | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9]*\\).*/\\1/p' | tail -1; fi`;
      const r = await ssh.exec(host, script, { signal });
      if (r.interrupted) return { ok: false, detail: "interrupted" };
      const status = Number(r.stdout.trim());
      if (!status) return { ok: false, detail: r.stderr.trim() || `no answer within ${timeoutMs}ms` };
      return statuses.includes(status) ? { ok: true, status } : { ok: false, status, detail: `status ${status}` };
    },
  };
}
