import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RunbookError } from "../../src/engine/errors.js";
import { connectionOf, loadInventory, selectHosts, shellSplit } from "../../src/engine/inventory/index.js";
import { formatLocation } from "../../src/engine/source.js";

const here = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const k3s = join(here, "k3s/inventory.yml");
const ini = join(here, "ini/hosts");

function errorOf(f: () => unknown): RunbookError {
  try {
    f();
  } catch (e) {
    if (e instanceof RunbookError) return e;
    throw e;
  }
  throw new Error("expected a RunbookError");
}

describe("YAML inventory (k3s-ansible shape)", () => {
  const inv = loadInventory([k3s]);
  it("reads nested groups, host ranges and group membership", () => {
    expect([...inv.hosts.keys()]).toEqual(["192.168.1.10", "pi1", "pi2"]);
    expect(inv.groups.get("k3s_cluster")).toEqual(["192.168.1.10", "pi1", "pi2"]);
    expect(inv.groups.get("server")).toEqual(["192.168.1.10"]);
    expect(inv.groups.get("agent")).toEqual(["pi1", "pi2"]);
    expect(inv.groups.get("ungrouped")).toEqual([]);
    expect(inv.hosts.get("pi1")?.groups).toEqual(["all", "k3s_cluster", "agent"]);
  });
  it("applies Ansible precedence: inventory group vars < group_vars files < host vars < host_vars", () => {
    // pi1: host_vars folder wins over everything
    expect(inv.hosts.get("pi1")?.vars).toMatchObject({
      level: "pi1-file",
      extra: 1,
      role: "agent",
      from_all_file: true,
    });
    // pi2: group_vars/agent.yaml over group_vars/all.yml over the inventory's agent vars
    expect(inv.hosts.get("pi2")?.vars.level).toBe("agent-file");
    // server: group_vars/all.yml beats the inventory's child group var
    expect(inv.hosts.get("192.168.1.10")?.vars).toMatchObject({
      level: "all-file",
      role: "server",
      ansible_user: "pi",
    });
  });
  it("maps Ansible connection vars", () => {
    const c = connectionOf("192.168.1.10", inv.hosts.get("192.168.1.10")!.vars);
    expect(c).toMatchObject({ kind: "ssh", address: "pi-server", port: 22, user: "pi", become: false });
    expect(connectionOf("x", { ansible_connection: "local" }).kind).toBe("local");
    expect(
      connectionOf("x", { ansible_become: "yes", ansible_ssh_common_args: "-o ProxyJump='bastion host' -4" }),
    ).toMatchObject({ become: true, sshArgs: ["-o", "ProxyJump=bastion host", "-4"] });
    expect(shellSplit(`a "b c" 'd\\e' f\\ g`)).toEqual(["a", "b c", "d\\e", "f g"]);
  });
});

describe("INI inventory", () => {
  const inv = loadInventory([ini]);
  it("reads sections, children, vars, ranges, ports and quoted values", () => {
    expect([...inv.hosts.keys()]).toEqual(["solo", "web01", "web02", "web03", "db1"]);
    expect(inv.groups.get("ungrouped")).toEqual(["solo"]);
    expect(inv.groups.get("prod")).toEqual(["web01", "web02", "web03", "db1"]);
    expect(inv.hosts.get("db1")?.vars).toMatchObject({ ansible_port: 2222, ansible_user: "admin user", env: "prod" });
    expect(inv.hosts.get("web02")?.vars).toMatchObject({ http_port: 80, replicas: 3, debug: false });
    expect(inv.hosts.get("solo")?.vars).toEqual({ ansible_host: "10.0.0.9" });
  });
});

describe("comma lists and several inventories", () => {
  it("reads -i pi1,pi2, as ungrouped hosts and merges sources", () => {
    const inv = loadInventory(["pi1,pi2,", k3s]);
    expect([...inv.hosts.keys()]).toEqual(["pi1", "pi2", "192.168.1.10"]);
    expect(inv.groups.get("ungrouped")).toEqual([]);
    expect(inv.hosts.get("pi2")?.groups).toContain("agent");
    expect(loadInventory(["a,b"]).groups.get("ungrouped")).toEqual(["a", "b"]);
  });
});

describe("host patterns and --limit", () => {
  const inv = loadInventory([k3s, ini]);
  const sel = (p: string, limit?: string) => selectHosts(inv, p, limit);
  it("selects as Ansible does", () => {
    expect(sel("all")).toHaveLength(8);
    expect(sel("*")).toHaveLength(8);
    expect(sel("server")).toEqual(["192.168.1.10"]);
    expect(sel("server:agent")).toEqual(["192.168.1.10", "pi1", "pi2"]);
    expect(sel("server,pi2")).toEqual(["192.168.1.10", "pi2"]);
    expect(sel("k3s_cluster:!server")).toEqual(["pi1", "pi2"]);
    expect(sel("prod:&db")).toEqual(["db1"]);
    expect(sel("!prod")).toEqual(["192.168.1.10", "pi1", "pi2", "solo"]);
    expect(sel("web0*")).toEqual(["web01", "web02", "web03"]);
    expect(sel("~^pi\\d")).toEqual(["pi1", "pi2"]);
    expect(sel("nosuch")).toEqual([]);
    expect(sel("all", "agent:solo")).toEqual(["pi1", "pi2", "solo"]);
    expect(sel("k3s_cluster", "!pi1")).toEqual(["192.168.1.10", "pi2"]);
  });
});

describe("inventory errors", () => {
  it("point at file:line:col", () => {
    const e = errorOf(() => loadInventory([join(here, "bad.yml")]));
    expect(e.code).toBe("unknown-key");
    expect(formatLocation(e.location!, here)).toBe("bad.yml:4:3");
  });
  it("reports a missing inventory as a usage error", () => {
    expect(errorOf(() => loadInventory([join(here, "nope.yml")])).code).toBe("usage");
  });
  it("reports a bad INI line with its position", () => {
    const e = errorOf(() => loadInventory(["x"].map(() => join(here, "ini-bad.ini"))));
    expect(e.code).toBe("schema");
    expect(formatLocation(e.location!, here)).toBe("ini-bad.ini:2:7");
  });
});
