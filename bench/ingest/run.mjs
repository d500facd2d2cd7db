// bench/ingest: ingest throughput and latency on the real local stack (wrangler dev,
// workerd, local D1 and Durable Objects), side by side with a hello-world Worker.
// Usage: node bench/ingest/run.mjs [--seconds 8]
import { client } from "../../scripts/lib/api.mjs";
import { fmt, load, migrate, startWorker } from "../lib/stack.mjs";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1] || 8);
const admin = "bench-admin-token";

const api = await startWorker({
  config: "wrangler.toml",
  port: 8891,
  inspectorPort: 9391,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
const hello = await startWorker({
  config: "bench/ingest/hello/wrangler.toml",
  port: 8892,
  inspectorPort: 9392,
});

const c = client(api.url, admin);

try {
  await migrate(api.persist);

  const { business, token } = await c.business({
    name: "bench",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "routeId", type: "string", required: true },
      { name: "durationMs", type: "number", required: true },
      { name: "status", type: "enum", values: ["OK", "FAILED"] },
    ],
  });
  let n = 0;
  const event = () => ({
    timestamp: Date.now(),
    routeId: `R${n++ % 50}`,
    durationMs: (n * 37) % 9000,
    status: n % 20 ? "OK" : "FAILED",
  });
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status === 202;
    });

  const ingestUrl = `${api.url}/v1/ingest/${business.id}`;
  // Warm both up so the first compile and token lookup are not measured.
  await load({ seconds: 1, concurrency: 4, send: () => post(ingestUrl, JSON.stringify(event())) });
  await load({ seconds: 1, concurrency: 4, send: () => post(hello.url, JSON.stringify(event())) });

  console.log(`Single-event POSTs, ${seconds}s each (req/s; latency ms p50 / p90 / p99)`);
  console.log("concurrency | hello world            | anom ingest            | ratio");
  for (const concurrency of [1, 8, 32]) {
    const h = await load({
      seconds,
      concurrency,
      send: () => post(hello.url, JSON.stringify(event())),
    });
    const a = await load({
      seconds,
      concurrency,
      send: () => post(ingestUrl, JSON.stringify(event())),
    });
    const cell = (r) => `${fmt(r.rps, 0).padStart(6)} (${fmt(r.p50)}/${fmt(r.p90)}/${fmt(r.p99)})`;
    console.log(
      `${String(concurrency).padStart(11)} | ${cell(h).padEnd(22)} | ${cell(a).padEnd(22)} | ${fmt(a.rps / h.rps, 2)}x${a.errors ? `  (${a.errors} errors)` : ""}`,
    );
  }

  console.log(`\nBatches into one business, ${seconds}s each`);
  for (const [size, concurrency] of [
    [100, 4],
    [1000, 4],
  ]) {
    const body = () => JSON.stringify(Array.from({ length: size }, event));
    const h = await load({ seconds, concurrency, send: () => post(hello.url, body()) });
    const a = await load({ seconds, concurrency, send: () => post(ingestUrl, body()) });
    console.log(
      `batch ${String(size).padStart(4)} x${concurrency}: anom ${fmt(a.rps * size, 0)} events/s (p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms) | hello world ${fmt(h.rps * size, 0)} events/s | ratio ${fmt(a.rps / h.rps, 2)}x${a.errors ? `  (${a.errors} errors)` : ""}`,
    );
  }
} finally {
  api.stop();
  hello.stop();
}
