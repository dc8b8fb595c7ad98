/** The host could not be reached, or the connection dropped: not the command's own exit status. */
export class UnreachableError extends Error {
  readonly kind = "unreachable" as const;
  readonly host: string;
  constructor(host: string, message: string) {
    super(`${host}: unreachable: ${message}`);
    this.name = "UnreachableError";
    this.host = host;
  }
}

export function isUnreachable(e: unknown): e is UnreachableError {
  return e instanceof UnreachableError;
}

// ssh exits 255 for its own failures; these lines tell a dropped connection from a command that exited 255.
const SSH_FAILURE =
  /^(ssh: |kex_exchange_identification|Connection (to .* )?closed|Connection reset|client_loop:|Host key verification failed|Permission denied \(|mux_client|Control socket|ssh_exchange_identification|Received disconnect|Bad owner|Timeout, server|.*Broken pipe)/m;

export function looksLikeSshFailure(stderr: string): boolean {
  return SSH_FAILURE.test(stderr);
}
