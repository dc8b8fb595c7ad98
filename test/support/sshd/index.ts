export { writeClientConfig } from "./client.js";
export { descendants, freePort, SSHD, type SshServer, sshdMissing, startSshd } from "./server.js";
export { startFleet, type TestFleet } from "./fleet.js";
