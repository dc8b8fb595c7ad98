/** The stand-in Kubernetes API server for tests and benchmarks: see server.ts for what it simplifies. */
export { freePort, type KubeconfigContext, kubeconfigYaml, writeKubeconfig } from "./kubeconfig.js";
export type { RecordedRequest } from "./routes.js";
export { FakeKube, type FakeKubeOptions, startFakeKube } from "./server.js";
