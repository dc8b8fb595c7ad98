// The fleet benchmark: 100 `shell` steps on 3 loopback sshd hosts, runbook vs ansible-playbook (pipelining,
// ControlPersist, forks 5) against the same servers, interleaved; plus a bare `ssh -S control host true`.
// Run: npm run build && node bench/fleet.mjs [runs]   (needs /usr/sbin/sshd; ansible-playbook if on PATH)
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const RUNS = Number(process.argv[2] ?? 5);
const STEPS = 100;
const HOSTS = ["h1", "h2", "h3"];
const REPO = resolve(import.meta.dirname, "..");
const NODE = join(REPO, "node_modules/.bin/node");
if (!existsSync("/usr/sbin/sshd")) {
  console.log("fleet: skipped, no /usr/sbin/sshd (apt-get install openssh-server)");
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "runbook-bench-fleet-"));
const keygen = (f) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", f], { stdio: "ignore" });
const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const banner = (port) =>
  new Promise((res) => {
    const s = new Socket();
    const done = (ok) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once("data", () => done(true));
    s.once("error", () => res(false));
    s.connect(port, "127.0.0.1");
  });

keygen(join(dir, "client"));
if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true });
const servers = [];
for (const name of HOSTS) {
  const d = join(dir, name);
  mkdirSync(d);
  keygen(join(d, "host"));
  writeFileSync(join(d, "auth"), readFileSync(join(dir, "client.pub")));
  const port = await freePort();
  writeFileSync(
    join(d, "sshd_config"),
    `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${d}/host\nAuthorizedKeysFile ${d}/auth\nPidFile ${d}/pid\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nPermitRootLogin prohibit-password\nMaxSessions 50\nMaxStartups 50:30:100\nLogLevel ERROR\n`,
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(d, "sshd_config")], { stdio: "ignore" });
  for (let i = 0; i < 100 && !(await banner(port)); i++) await new Promise((r) => setTimeout(r, 50));
  const key = readFileSync(join(d, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  servers.push({ name, port, child, known: `[127.0.0.1]:${port} ${key}` });
}
writeFileSync(join(dir, "known_hosts"), `${servers.map((s) => s.known).join("\n")}\n`);
const cfg = join(dir, "ssh_config");
writeFileSync(
  cfg,
  `Host *\n  UserKnownHostsFile ${dir}/known_hosts\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n  IdentityFile ${dir}/client\n  User ${userInfo().username}\n  LogLevel ERROR\n`,
);
const inv = join(dir, "inventory.ini");
writeFileSync(
  inv,
  `${servers.map((s) => `${s.name} ansible_host=127.0.0.1 ansible_port=${s.port}`).join("\n")}\n\n[all:vars]\nansible_ssh_common_args="-F ${cfg}"\nansible_python_interpreter=/usr/bin/python3\n`,
);
const tasks = Array.from({ length: STEPS }, (_, i) => `    - shell: "true ${i}"`).join("\n");
writeFileSync(join(dir, "runbook.yml"), `- hosts: all\n  tasks:\n${tasks}\n`);
writeFileSync(
  join(dir, "ansible.yml"),
  `- hosts: all\n  gather_facts: false\n  tasks:\n${Array.from({ length: STEPS }, (_, i) => `    - ansible.builtin.shell: "true ${i}"`).join("\n")}\n`,
);
writeFileSync(
  join(dir, "ansible.cfg"),
  `[defaults]\nforks = 5\nhost_key_checking = True\nretry_files_enabled = False\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\ncontrol_path_dir = ${dir}/cp\n`,
);
const hasAnsible = spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0;

function time(cmd, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return ms;
}
const runbook = () => time(NODE, [join(REPO, "bin/runbook.js"), "apply", "runbook.yml", "-i", inv, "-o", "plain"]);
const ansible = () =>
  time("ansible-playbook", ["-i", inv, "ansible.yml"], {
    ANSIBLE_CONFIG: join(dir, "ansible.cfg"),
    ANSIBLE_NOCOLOR: "1",
  });
// The floor: one multiplexed `ssh true` over an open master, per step per host.
const s0 = servers[0];
const ctl = join(dir, "ctl");
const sshArgs = ["-F", cfg, "-p", String(s0.port), "-o", `ControlPath=${ctl}`, "127.0.0.1"];
spawnSync("ssh", ["-o", "ControlMaster=yes", "-o", "ControlPersist=60", "-f", "-N", ...sshArgs]);
const bare = () => {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) execFileSync("ssh", ["-S", ctl, ...sshArgs, "true"]);
  return (performance.now() - t0) / 20;
};

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const results = { runbook: [], ansible: [], bare: [] };
try {
  runbook();
  if (hasAnsible) ansible();
  // Interleaved, so a machine that gets busier shifts every figure alike.
  for (let i = 0; i < RUNS; i++) {
    results.runbook.push(runbook());
    if (hasAnsible) results.ansible.push(ansible());
    results.bare.push(bare());
  }
} finally {
  spawnSync("ssh", ["-S", ctl, "-O", "exit", ...sshArgs], { stdio: "ignore" });
  for (const s of servers) s.child.kill();
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
}
const rb = median(results.runbook);
const perStep = rb / STEPS;
console.log(`fleet: ${STEPS} shell steps on ${HOSTS.length} hosts, median of ${RUNS}`);
console.log(`  runbook          ${rb.toFixed(0)} ms  (${perStep.toFixed(1)} ms per step, all hosts in parallel)`);
if (hasAnsible) {
  const an = median(results.ansible);
  console.log(`  ansible-playbook ${an.toFixed(0)} ms  (pipelining, ControlPersist, forks 5)`);
  console.log(`  ratio            ${(an / rb).toFixed(1)}x  (target: >= 10x)`);
} else console.log("  ansible-playbook not on PATH: apt-get install -y ansible-core to compare");
console.log(
  `  bare ssh -S true ${median(results.bare).toFixed(1)} ms per command (target: runbook per step within 3 ms of it)`,
);
