// A loopback HTTP server for bench/download.mjs, run in a worker thread: GET /file?bytes=N
// streams N bytes of bench data with a Content-Length. It listens on 127.0.0.1 only.
import { createServer } from "node:http";
import { parentPort } from "node:worker_threads";
import { chunk, MB } from "./download-data.mjs";

const server = createServer((req, res) => {
  const bytes = Number(new URL(req.url ?? "/", "http://x").searchParams.get("bytes"));
  res.writeHead(200, { "content-length": bytes, "content-type": "application/octet-stream" });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const piece = left >= MB ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once("drain", pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, "127.0.0.1", () => parentPort?.postMessage(server.address().port));
