// First: V8 heap settings must be in place before the other modules allocate.
import "./heap.js";
import "../engine/regexp-guard.js";
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "../version.js";
import { exitCodeOf, printError } from "./errors.js";

const program = new Command();
program
  .name("runbook")
  .description("Declarative YAML playbooks for standing up and operating Istio on Kubernetes")
  .version(VERSION, "-V, --version", "print the version")
  .showHelpAfterError("(run `runbook --help` for usage)")
  .configureOutput({ outputError: (str, write) => write(str) })
  // Usage errors exit 2 like every other invalid input (commander's default is 1).
  .exitOverride();

const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: string, prev: string[]) => [
  ...prev,
  ...v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

program
  .command("apply")
  .description("run a playbook")
  .argument("<file>", "the playbook")
  .option("-e, --extra-vars <var>", "key=value (typed), @file.yml or a JSON object; repeatable", collect, [])
  .option("-t, --tags <tags>", "run only steps with these tags (comma-separated)", list, [])
  .option("--skip-tags <tags>", "skip steps with these tags", list, [])
  .option("--start-at-task <name>", "start at the step with this name")
  .option("--dry-run", "change nothing: show what each step would do (check_mode: false probes still run)")
  .option("--diff", "show file diffs of changed files")
  .option("--force-handlers", "run notified handlers even after a failure")
  .option("--list-tags", "print the tags the playbook's steps carry, and run nothing")
  .option("--list-tasks", "print the steps --tags/--skip-tags select, with their tags, and run nothing")
  .option("--confirm", "show the plan summary and ask before changing anything")
  .addOption(new Option("-o, --output <mode>", "output mode").choices(["tty", "plain", "json"]))
  .option("--preset-path <dir>", "extra folder to look for presets in; repeatable", collect, [])
  .option("--fact <name=value>", "override a fact (e.g. arch=arm64) to try a playbook for another machine", collect, [])
  .option("-v, --verbose", "show full command output")
  .option("--show-secrets", "do not mask values of variables named like *password*, *token*, *secret*, *key*")
  .option(
    "-i, --inventory <source>",
    "Ansible inventory (YAML or INI file, or a comma list `a,b,`); repeatable",
    collect,
    [],
  )
  .option("-l, --limit <pattern>", "only these hosts (an Ansible host pattern)")
  .option("-f, --forks <n>", "hosts run in parallel (default 5)")
  .addHelpText(
    "after",
    "\nExamples:\n  runbook apply playbooks/dev.yml\n  runbook apply playbooks/production.yml -e istio_version=1.30.4 --tags install\n  runbook apply site.yml --dry-run\n  runbook apply site.yml -i inventory.yml --limit server\n",
  )
  .action(async (file: string, opts) => {
    const { applyCommand } = await import("./apply.js");
    process.exitCode = await applyCommand(file, opts);
  });

program
  .command("plan")
  .description("show what apply would do, step by step, without changing anything")
  .argument("<file>", "the playbook")
  .option("-e, --extra-vars <var>", "key=value (typed), @file.yml or a JSON object; repeatable", collect, [])
  .option("-t, --tags <tags>", "plan only steps with these tags (comma-separated)", list, [])
  .option("--skip-tags <tags>", "leave out steps with these tags", list, [])
  .option("--start-at-task <name>", "start at the step with this name")
  .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
  .option("--list-tags", "print the tags the playbook's steps carry, and plan nothing")
  .option("--list-tasks", "print the steps --tags/--skip-tags select, with their tags, and plan nothing")
  .option("--preset-path <dir>", "extra folder to look for presets in; repeatable", collect, [])
  .option("--fact <name=value>", "override a fact (e.g. arch=arm64) to plan for another machine", collect, [])
  .option("--show-secrets", "do not mask values of variables named like *password*, *token*, *secret*, *key*")
  .option(
    "-i, --inventory <source>",
    "Ansible inventory (YAML or INI file, or a comma list `a,b,`); repeatable",
    collect,
    [],
  )
  .option("-l, --limit <pattern>", "only these hosts (an Ansible host pattern)")
  .option("--forks <n>", "hosts planned in parallel (default 5)")
  .addHelpText(
    "after",
    "\nThe same inputs give byte-identical output, so a plan can be committed and diffed.\nSteps marked `check_mode: false` (read-only probes) run; nothing else does.\n\nExamples:\n  runbook plan playbooks/dev.yml\n  runbook plan playbooks/production.yml --format json > plan.json\n  runbook plan playbooks/homelab-k3s.yml --fact arch=arm64\n",
  )
  .action(async (file: string, opts) => {
    const { planCommand } = await import("./plan.js");
    process.exitCode = await planCommand(file, opts);
  });

program
  .command("validate")
  .description("check playbooks without running them; report every problem")
  .argument("<files...>", "playbooks")
  .option("-e, --extra-vars <var>", "extra variables, as for apply", collect, [])
  .option("--preset-path <dir>", "extra folder to look for presets in", collect, [])
  .option(
    "-i, --inventory <source>",
    "Ansible inventory (YAML or INI file, or a comma list `a,b,`); repeatable",
    collect,
    [],
  )
  .option("-l, --limit <pattern>", "only these hosts (an Ansible host pattern)")
  .addHelpText("after", "\nExamples:\n  runbook validate playbooks/*.yml\n")
  .action(async (files: string[], opts) => {
    const { validateCommand } = await import("./validate.js");
    process.exitCode = await validateCommand(files, opts);
  });

program
  .command("facts")
  .description("print the facts about this machine as JSON")
  .addHelpText(
    "after",
    "\nPlaybooks read them as facts.os, facts.arch, ... (computed only when used).\n\nExamples:\n  runbook facts\n  runbook facts | jq -r .arch\n",
  )
  .action(async () => {
    const { factsCommand } = await import("./info.js");
    process.exitCode = await factsCommand();
  });

program
  .command("schema")
  .description("print the JSON Schema of playbooks (default) or presets, or write both for an editor (--write)")
  .argument("[which]", "playbook or preset")
  .option("--write <dir>", "write both schemas into DIR/.vscode/ and yaml.schemas into DIR/.vscode/settings.json")
  .option(
    "--glob <pattern>",
    "with --write: files that are playbooks (repeatable; default playbooks/*.yml …)",
    collect,
    [],
  )
  .addHelpText(
    "after",
    "\nVS Code (YAML extension) and other yaml-language-server editors complete and check playbooks with it:\n  runbook schema --write .        # the project folder: schemas and settings under .vscode/\nor with a first line in a playbook next to node_modules/:\n  # yaml-language-server: $schema=./node_modules/runbook/schema/playbook.schema.json\n\nExamples:\n  runbook schema > playbook.schema.json\n  runbook schema preset\n  runbook schema --write . --glob 'deploy/*.yml'\n",
  )
  .action(async (which: string | undefined, opts: { write?: string; glob: string[] }) => {
    if (opts.write !== undefined) {
      const { writeSchemas, DEFAULT_PLAYBOOK_GLOBS } = await import("./schema-write.js");
      try {
        writeSchemas(opts.write, opts.glob.length ? opts.glob : DEFAULT_PLAYBOOK_GLOBS, (l) =>
          process.stdout.write(`${l}\n`),
        );
      } catch (e) {
        printError(e);
        process.exitCode = exitCodeOf(e);
      }
      return;
    }
    const { schemaCommand } = await import("./info.js");
    process.exitCode = await schemaCommand(which);
  });

program
  .command("playbooks")
  .description("list the bundled playbooks with their descriptions")
  .addHelpText(
    "after",
    "\nExamples:\n  runbook playbooks\n  runbook plan playbooks/dev.yml   # a bundled playbook, from any folder\n",
  )
  .action(async () => {
    const { playbooksCommand } = await import("./info.js");
    process.exitCode = await playbooksCommand();
  });

const presets = program
  .command("presets")
  .description("list the presets found, and where (see `presets show NAME`)")
  .addHelpText(
    "after",
    "\nLookup order: ./presets/, RUNBOOK_PRESET_PATH and --preset-path, npm packages, bundled.\n\nExamples:\n  runbook presets\n  runbook presets show istio\n",
  )
  .option("--preset-path <dir>", "extra folder to look for presets in; repeatable", collect, [])
  .action(async (opts: { presetPath: string[] }) => {
    const { presetsCommand } = await import("./info.js");
    process.exitCode = await presetsCommand(opts.presetPath);
  });
presets
  .command("show")
  .description("show a preset's parameters and README")
  .argument("<name>", "preset name")
  .option("--preset-path <dir>", "extra folder to look for presets in; repeatable", collect, [])
  .action(async (name: string, opts: { presetPath: string[] }) => {
    const { presetShowCommand } = await import("./info.js");
    process.exitCode = await presetShowCommand(name, [...opts.presetPath, ...(presets.opts().presetPath as string[])]);
  });

program
  .command("completion")
  .description("print a shell completion script for bash, zsh or fish")
  .argument("<shell>", "bash, zsh or fish")
  .addHelpText(
    "after",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh syntax shown to the user, not a template
    '\nExamples:\n  eval "$(runbook completion bash)"            # in ~/.bashrc\n  runbook completion zsh > "${fpath[1]}/_runbook"\n  runbook completion fish > ~/.config/fish/completions/runbook.fish\n',
  )
  .action(async (shell: string) => {
    const { completionScript } = await import("./completion.js");
    process.stdout.write(completionScript(program, shell));
  });

// `runbook ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// No top-level await: the single-file binary runs this as CommonJS, which has none.
program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2);
  }
  printError(e);
  process.exitCode = exitCodeOf(e);
});
