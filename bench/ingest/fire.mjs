// bench/ingest/fire.mjs: sends a fixed number of requests to a running Worker and
// exits, so a whole-process timer (e.g. /usr/bin/time, or two such runs in turn)
// compares Anom's single-event ingest with the hello-world Worker request for request.
// Usage: node bench/ingest/fire.mjs --url http://127.0.0.1:8891/v1/ingest/<id> [--token T]
//   [--requests 2000] [--concurrency 8] [--batch 1]
// With --batch N each request carries N events and the events/s are printed.
import { arg, benchEvent as event } from "../lib/stack.mjs";

const at = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const url = at("--url");
if (!url) throw new Error("--url is required");
const token = at("--token");
const requests = arg("--requests", 2000);
const concurrency = arg("--concurrency", 8);
const batch = arg("--batch", 1);

const start = performance.now();
let sent = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < requests) {
      sent++;
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(batch === 1 ? event() : Array.from({ length: batch }, event)),
      });
      await res.arrayBuffer();
      if (res.status >= 300) failed++;
    }
  }),
);
if (failed) {
  console.error(`${failed} of ${requests} requests failed`);
  process.exitCode = 1;
}
if (batch > 1) {
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${requests * batch} events in ${requests} requests of ${batch}: ${Math.round((requests * batch) / seconds)} events/s`,
  );
}
