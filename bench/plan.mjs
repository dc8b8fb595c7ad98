// Plans a playbook that expands to 10,000 steps (loops over large lists) and reports wall time
// and peak memory. Run: npm run build && node bench/plan.mjs [steps]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const total = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), "runbook-bench-plan-"));
const perLoop = total / 4;
// Four looped steps of different kinds, so the plan exercises rendering, conditions and action plans.
writeFileSync(
  join(dir, "playbook.yml"),
  `name: ten thousand steps
vars:
  items: ${JSON.stringify(Array.from({ length: perLoop }, (_, i) => `ns-${i}`))}
tasks:
  - name: label {{ item }}
    command: kubectl label namespace {{ item }} istio-injection=enabled --overwrite
    loop: "{{ items }}"
  - name: restart {{ item }}
    shell: kubectl -n {{ item }} rollout restart deployment
    loop: "{{ items }}"
    when: item != "ns-0"
  - name: note {{ item }}
    print: "namespace {{ item }} done"
    loop: "{{ items }}"
  - name: config for {{ item }}
    copy: { content: "ns: {{ item }}\\n", dest: "${dir}/out/{{ item }}.yaml" }
    loop: "{{ items }}"
`,
);

const { planPlaybook } = await import("../dist/api.js");
const { planDocument } = await import("../dist/engine/plan/document.js");
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const t0 = performance.now();
const r = await planPlaybook(join(dir, "playbook.yml"));
const doc = planDocument(r.playbook, r.entries, { status: r.summary.status, version: "bench" });
const json = JSON.stringify(doc);
const ms = performance.now() - t0;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(dir);
console.log(
  `plan of ${doc.steps.length} steps: ${ms.toFixed(0)} ms, peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB, JSON ${(json.length / 1024 / 1024).toFixed(1)} MB`,
);
console.log(`targets: under 1000 ms and 200 MB — ${ms < 1000 && peak < 200 * 1024 * 1024 ? "met" : "NOT met"}`);
