#!/usr/bin/env node
// Print the README's table of cases from the case files: `node test/conformance/table.mjs`.
import { loadCases } from "./harness.mjs";

/** One markdown row per case: id, what it checks, its status and the note. */
export function table() {
  const rows = loadCases().map((c) => {
    const status = c.known_bug ? "known bug" : c.difference ? "deliberate difference" : "same";
    const note = (c.known_bug ?? c.difference ?? "").replaceAll("|", "\\|");
    return `| \`${c.id}\` | ${c.title} | ${status} | ${note} |`;
  });
  return ["| case | checks | status | note |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

if (process.argv[1] === import.meta.filename) process.stdout.write(`${table()}\n`);
