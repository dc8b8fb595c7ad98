// The playbooks bench/run.js times, for runbook and in the same shape for ansible-playbook (ansible.md §5).

export const N = 100;
export const LONG = 1000;
export const PRINTS = 1000;
export const HEAVY = 10_000;

const range = (n) => Array.from({ length: n }, (_, i) => i);

function shellSteps(n) {
  const body = [];
  for (let i = 0; i < n; i++) body.push(`  - name: task ${i}`, '    shell: "true"');
  return body;
}

// Each step has `vars`, a `when` over them and a templated command: what issue 17 calls the heavy shape.
function heavySteps(n) {
  const body = [];
  for (let i = 0; i < n; i++)
    body.push(
      `  - name: restart app ${i}`,
      "    vars:",
      `      n: ${i}`,
      `      dir: "{{ base }}/app-${i}"`,
      "    when: n != skip",
      '    shell: "kubectl -n ns-{{ n }} rollout restart deployment/app-{{ n }} --dir {{ dir }}"',
    );
  return body;
}

export function runbookPlaybook(kind) {
  if (kind === "empty") return "name: bench empty\ntasks: []\n";
  const head = [`name: bench ${kind}`];
  let body = [];
  if (kind === "shell") body = shellSteps(N);
  if (kind === "shell1000") body = shellSteps(LONG);
  if (kind === "loop") body = ["  - name: loop", '    shell: "true {{ item }}"', `    loop: [${range(N).join(", ")}]`];
  if (kind === "print") for (let i = 0; i < PRINTS; i++) body.push(`  - name: print ${i}`, `    print: "message ${i}"`);
  if (kind === "heavy-plan") {
    head.push("vars:", "  base: /srv", "  skip: 7");
    body = heavySteps(HEAVY);
  }
  return `${[...head, "tasks:", ...body].join("\n")}\n`;
}

// The shape of ansible.md §5: one play on localhost, no facts, one task per step.
export function ansiblePlaybook(kind) {
  const head = [`- name: bench ${kind}`, "  hosts: localhost", "  gather_facts: false", "  tasks:"];
  const body = [];
  if (kind === "empty") return `${[...head.slice(0, 3), "  tasks: []"].join("\n")}\n`;
  if (kind === "shell")
    for (let i = 0; i < N; i++) body.push(`    - name: task ${i}`, '      ansible.builtin.shell: "true"');
  if (kind === "loop")
    body.push(
      "    - name: loop",
      '      ansible.builtin.shell: "true {{ item }}"',
      `      loop: "{{ range(${N}) | list }}"`,
    );
  if (kind === "print")
    for (let i = 0; i < PRINTS; i++)
      body.push(`    - name: print ${i}`, "      ansible.builtin.debug:", `        msg: "message ${i}"`);
  return `${[...head, ...body].join("\n")}\n`;
}
