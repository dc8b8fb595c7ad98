const t0 = performance.now();
await import("yaml");
await import("zod");
const t1 = performance.now();
await import("./dist/engine/io/kube.js");
console.log("io/kube after yaml+zod", (performance.now() - t1).toFixed(0), "ms");
const t2 = performance.now();
await import("@kubernetes/client-node/dist/exec_auth.js");
await import("@kubernetes/client-node/dist/config_types.js");
