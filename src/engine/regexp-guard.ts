import { setFlagsFromString } from "node:v8";

// Imported first by the CLI and by expr.ts (the library API evaluates CEL too). A playbook's CEL `matches` (and every other regex) must not hang on a
// catastrophic pattern such as `^(a+)+$`: past V8's backtrack limit the match is re-run on V8's
// linear-time engine (same results for the patterns it supports). Flags apply to regexes compiled
// after this line, which includes every pattern from a playbook.
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
