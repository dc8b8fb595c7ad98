/**
 * Ansible's `serial:` as batches of hosts: each size is a count or a percentage of the play's hosts
 * (rounded down, at least 1); the last size repeats until every host is in a batch.
 */
export function batches(hosts: readonly string[], serial: readonly (number | string)[] | undefined): string[][] {
  if (!serial?.length || hosts.length === 0) return hosts.length ? [[...hosts]] : [];
  const sizeOf = (s: number | string) => {
    const text = String(s);
    const n = text.endsWith("%") ? Math.floor((hosts.length * Number(text.slice(0, -1))) / 100) : Number(text);
    return Math.max(1, n);
  };
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizeOf(serial[Math.min(k++, serial.length - 1)]!);
    out.push(hosts.slice(i, i + size));
    i += size;
  }
  return out;
}
