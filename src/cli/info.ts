import { createFacts, gatherAll } from "../engine/facts.js";

export async function factsCommand(): Promise<number> {
  process.stdout.write(`${JSON.stringify(gatherAll(createFacts()), null, 2)}\n`);
  return 0;
}
