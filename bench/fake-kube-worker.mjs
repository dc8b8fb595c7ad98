// Runs a fake-kube stand-in on its own thread, so the client being measured does not share an event loop with it.
import { parentPort, workerData } from "node:worker_threads";

const { startFakeKube, writeKubeconfig } = await import(workerData.fakeKube);
let kube;
parentPort.on("message", async (msg) => {
  if (msg.type === "start") {
    kube = await startFakeKube();
    await writeKubeconfig(msg.kubeconfig, [{ name: "bench", server: kube }]);
    parentPort.postMessage({ type: "started" });
  } else if (msg.type === "requests") {
    parentPort.postMessage({ type: "requests", count: kube.requests.length });
  } else if (msg.type === "stop") {
    await kube.stop();
    parentPort.postMessage({ type: "stopped" });
  }
});
