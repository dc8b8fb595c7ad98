// Runs a fake-kube stand-in on its own thread, so the client being measured does not share an event loop with it.
import { parentPort, workerData } from "node:worker_threads";

const { startFakeKube, writeKubeconfig } = await import(workerData.fakeKube);
let kube;
parentPort.on("message", async (msg) => {
  if (msg.type === "start") {
    kube = await startFakeKube({ latencyMs: msg.latencyMs });
    await writeKubeconfig(msg.kubeconfig, [{ name: "bench", server: kube }]);
    parentPort.postMessage({ type: "started" });
  } else if (msg.type === "requests") {
    // The requests answered since the last ask, one line each; then forgotten.
    const log = kube.requests.map((r) => {
      const q = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${q ? `?${q}` : ""} → ${r.status}`;
    });
    kube.requests.length = 0;
    parentPort.postMessage({ type: "requests", log });
  } else if (msg.type === "objects") {
    // What is stored, without what differs between any two servers (uid, times, resourceVersion, cluster IP).
    // Keys sorted: the order fields were sent in is not a difference.
    const canonical = (v) =>
      Array.isArray(v)
        ? v.map(canonical)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, canonical(v[k])]),
            )
          : v;
    const skip = ["uid", "creationTimestamp", "time", "resourceVersion", "clusterIP", "clusterIPs"];
    const strip = JSON.stringify(canonical(kube.objects()), (k, v) => (skip.includes(k) ? undefined : v));
    parentPort.postMessage({ type: "objects", objects: strip });
  } else if (msg.type === "stats") {
    parentPort.postMessage({ type: "stats", connections: kube.connections });
  } else if (msg.type === "stop") {
    await kube.stop();
    parentPort.postMessage({ type: "stopped" });
  }
});
