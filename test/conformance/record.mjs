#!/usr/bin/env node
// Re-record the Ansible side of the conformance cases: `node test/conformance/record.mjs [case-id...]`.
// Needs ansible-playbook (Debian's ansible-core; recorded with 2.14). Writes cases/<id>/ansible.golden.json.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCases, prepare, runAnsible } from "./harness.mjs";

const only = new Set(process.argv.slice(2));
const verbose = process.env.VERBOSE === "1";
for (const c of loadCases()) {
  if (only.size > 0 && !only.has(c.id)) continue;
  const tmp = prepare(c);
  try {
    const { outcome, text } = runAnsible(c, tmp);
    if (verbose) process.stdout.write(text);
    writeFileSync(join(c.dir, "ansible.golden.json"), `${JSON.stringify(outcome, null, 2)}\n`);
    process.stdout.write(`${c.id}: ${outcome.status} ${JSON.stringify(outcome.recap)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
