/** Colour only on a terminal, and never with NO_COLOR, TERM=dumb or in CI. */
export function useColor(stream: NodeJS.WriteStream, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb" || env.CI) return false;
  return stream.isTTY === true;
}
