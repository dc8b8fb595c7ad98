// Placeholder until the single-file build lands: outside a binary there is no unpacked root.
export function seaRoot(): string | undefined {
  return undefined;
}
