import type { PlanDocument, PlanStep } from "./document.js";

export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
}

const id = (s: string) => s;
export const plainStyle: TextStyle = { bold: id, dim: id, green: id, yellow: id, red: id, cyan: id };

const ansi = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const colorStyle: TextStyle = {
  bold: ansi("1"),
  dim: ansi("2"),
  green: ansi("32"),
  yellow: ansi("33"),
  red: ansi("31"),
  cyan: ansi("36"),
};

function marker(s: PlanStep, st: TextStyle): string {
  if (s.decision === "skip") return st.dim("skip   ");
  if (s.decision === "runtime") return st.cyan("later  ");
  if (s.probe) return st.dim("probe  ");
  if (s.will_change === true) return st.yellow("change ");
  if (s.will_change === false) return st.green("ok     ");
  return st.yellow("run    ");
}

function indent(text: string, pad: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

function colorDiff(diff: string, st: TextStyle): string {
  return diff
    .split("\n")
    .map((l) =>
      l.startsWith("+") && !l.startsWith("+++")
        ? st.green(l)
        : l.startsWith("-") && !l.startsWith("---")
          ? st.red(l)
          : l.startsWith("@@")
            ? st.cyan(l)
            : l,
    )
    .join("\n");
}

/** The plan for people: one block per step, grouped under the include/preset/handler it came from. */
export function planText(doc: PlanDocument, st: TextStyle = plainStyle): string {
  const out: string[] = [];
  out.push(st.bold(`Plan: ${doc.playbook.name}`) + st.dim(` (${doc.playbook.file})`));
  if (doc.playbook.description) out.push(`  ${doc.playbook.description}`);
  out.push("");
  let lastChain = "";
  for (const s of doc.steps) {
    const chain = s.chain
      .filter((c) => c.kind !== "block")
      .map((c) => `${c.kind} ${c.name}`)
      .join(" › ");
    if (chain !== lastChain) {
      if (chain) out.push(st.dim(`  ── ${chain}`));
      lastChain = chain;
    }
    const pad = "  ".repeat(Math.min(s.chain.filter((c) => c.kind !== "block").length, 4));
    const item = s.item ? st.dim(` [${s.item.index}: ${s.item.label}]`) : "";
    out.push(`${pad}${marker(s, st)}${st.bold(s.name)}${item}  ${st.dim(s.location ?? "")}`);
    const sub = `${pad}         `;
    if (s.decision === "skip") out.push(`${sub}${st.dim(`skipped: ${s.reason ?? ""}`)}`);
    else if (s.decision === "runtime") {
      out.push(`${sub}${st.cyan(`decided at run time: ${s.reason ?? ""}`)}`);
      // What it would do if the run decides it runs.
      if (s.command) out.push(`${sub}${st.dim("if it runs:")} $ ${s.command}`);
      else if (s.summary) out.push(`${sub}${st.dim(`if it runs: ${s.summary}`)}`);
    } else {
      if (s.command) out.push(`${sub}$ ${s.command}`);
      // A probe ran: its command line, then what it answered.
      if (s.summary && (!s.command || s.probe)) out.push(`${sub}${s.command ? st.dim(s.summary) : s.summary}`);
      if (s.reason) out.push(`${sub}${st.dim(s.reason)}`);
      for (const d of s.details) out.push(`${sub}${st.dim(d)}`);
      if (s.diff) out.push(indent(colorDiff(s.diff, st), `${sub}  `));
      if (s.notifies.length) out.push(`${sub}${st.dim(`notifies: ${s.notifies.join(", ")}`)}`);
    }
  }
  const m = doc.summary;
  out.push("");
  out.push(
    st.bold(`${m.steps} steps: `) +
      `${m.run} will run (${m.will_change} change${m.will_change === 1 ? "" : "s"}, ${m.unknown_change} known only when run), ` +
      `${m.skip} skipped, ${m.runtime} decided at run time`,
  );
  if (doc.status !== "ok") out.push(st.red(`the plan stopped early: ${doc.error ?? doc.status}`));
  return `${out.join("\n")}\n`;
}
