export { writeClientConfig } from "./client.js";
export { startFleet, type TestFleet } from "./fleet.js";
export { descendants, freePort, SSHD, type SshServer, sshdMissing, startSshd } from "./server.js";
