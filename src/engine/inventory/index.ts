export { connectionOf, type HostConnection, shellSplit } from "./connection.js";
export { type Inventory, type InventoryHost, loadInventory } from "./inventory.js";
export { selectHosts, unmatchedTerms } from "./pattern.js";
