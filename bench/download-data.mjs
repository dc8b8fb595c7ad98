// The bytes the download benchmark serves: one pseudo-random 1 MiB block, repeated, so that
// neither side ever holds a whole file in memory.
import { createHash } from "node:crypto";

export const MB = 1024 * 1024;
export const chunk = Buffer.alloc(MB);
const seed = createHash("sha512").update("runbook").digest();
for (let i = 0; i < chunk.length; i++) chunk[i] = (seed[i % seed.length] ^ ((i * 2654435761) >>> 24)) & 0xff;
