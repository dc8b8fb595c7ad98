import type { Command } from "commander";
import { RunbookError } from "../engine/errors.js";

interface Spec {
  name: string;
  options: string[];
  /** The command takes a playbook file. */
  files: boolean;
}

function specs(program: Command): Spec[] {
  return program.commands.map((c) => ({
    name: c.name(),
    options: c.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)),
    files: c.registeredArguments.some((a) => /file/.test(a.name())),
  }));
}

function bash(list: Spec[]): string {
  const cases = list.map((s) => `    ${s.name}) opts="${s.options.join(" ")}"; files=${s.files ? 1 : 0} ;;`).join("\n");
  return `# runbook completion for bash: eval "$(runbook completion bash)"
_runbook() {
  local cur cmd opts files
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${list.map((s) => s.name).join(" ")} --help --version" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    *) opts=""; files=0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  elif [ "$files" -eq 1 ]; then
    COMPREPLY=( $(compgen -f -X '!*.@(yml|yaml)' -- "$cur") $(compgen -d -- "$cur") )
  fi
}
shopt -s extglob
complete -F _runbook runbook
`;
}

function zsh(list: Spec[]): string {
  const cmds = list.map((s) => `    '${s.name}'`).join("\n");
  const cases = list
    .map(
      (s) =>
        `    ${s.name}) _arguments ${s.options.map((o) => `'${o}[]'`).join(" ")} ${s.files ? "'*:playbook:_files -g \"*.(yml|yaml)\"'" : ""} ;;`,
    )
    .join("\n");
  return `#compdef runbook
# runbook completion for zsh: runbook completion zsh > "\${fpath[1]}/_runbook"
_runbook() {
  local -a commands
  commands=(
${cmds}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases}
  esac
}
compdef _runbook runbook
`;
}

function fish(list: Spec[]): string {
  const lines = [
    "# runbook completion for fish: runbook completion fish > ~/.config/fish/completions/runbook.fish",
    "complete -c runbook -f",
  ];
  for (const s of list) {
    lines.push(`complete -c runbook -n '__fish_use_subcommand' -a ${s.name}`);
    for (const o of s.options.filter((x) => x.startsWith("--"))) {
      lines.push(`complete -c runbook -n '__fish_seen_subcommand_from ${s.name}' -l ${o.slice(2)}`);
    }
    if (s.files)
      lines.push(
        `complete -c runbook -n '__fish_seen_subcommand_from ${s.name}' -F -a '(__fish_complete_suffix .yml)'`,
      );
  }
  return `${lines.join("\n")}\n`;
}

/** A completion script for the shell, generated from the commands and options the CLI defines. */
export function completionScript(program: Command, shell: string): string {
  const list = specs(program).filter((s) => s.name !== "completion");
  if (shell === "bash") return bash(list);
  if (shell === "zsh") return zsh(list);
  if (shell === "fish") return fish(list);
  throw new RunbookError("usage", `runbook completion: unknown shell ${JSON.stringify(shell)}`, {
    hint: "use bash, zsh or fish",
  });
}
