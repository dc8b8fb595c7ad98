import type { Inventory } from "../inventory/inventory.js";

/**
 * Ansible's magic variables for one host: `inventory_hostname`, `group_names`, `groups` and
 * `hostvars`. hostvars[h] reads h's inventory vars and, live, the results h registered so far, so a
 * later play (or a later step) on one host sees what another host registered.
 */
export function magicVars(
  inv: Inventory,
  host: string,
  runtimeOf: (host: string) => Record<string, unknown>,
): Record<string, unknown> {
  const hostvars: Record<string, unknown> = {};
  for (const [name, h] of inv.hosts) {
    Object.defineProperty(hostvars, name, {
      enumerable: true,
      get: () => ({
        ...h.vars,
        inventory_hostname: name,
        group_names: h.groups.filter((g) => g !== "all" && g !== "ungrouped"),
        ...runtimeOf(name),
      }),
    });
  }
  const me = inv.hosts.get(host);
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split(".")[0],
    group_names: (me?.groups ?? []).filter((g) => g !== "all" && g !== "ungrouped"),
    groups: Object.fromEntries(inv.groups),
    hostvars,
  };
}
