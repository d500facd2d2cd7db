// bench/retention: does retention keep a business's Durable Object bounded under a
// sustained event rate? Runs the real local stack (wrangler dev: workerd, the object's
// alarm, local R2), sends batches at a fixed rate for a while, and prints the object's
// database size, kept events and events still to archive (GET /v1/businesses/{id}/status)
// every few seconds, then scales what it saw to 10,000 events/s with the default
// retention of 1,000,000 events.
// Usage: node bench/retention/run.mjs [--rate 2000] [--seconds 120] [--max-events 10000] [--batch 200]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arg, fmt, freePort, migrate, startWorker } from "../lib/stack.mjs";

const rate = arg("--rate", 2000);
const seconds = arg("--seconds", 120);
const maxEvents = arg("--max-events", 10_000);
const batch = arg("--batch", 200);
const admin = "bench-admin-token";

const persist = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), "anom-retention-"));
await migrate(persist);
const api = await startWorker({
  config: "wrangler.toml",
  port: await freePort(),
  inspectorPort: await freePort(),
  persist,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
const call = async (method, path, body, token = admin) => {
  const r = await fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
};

try {
  const business = await call("POST", "/v1/businesses", {
    name: "Sustained fleet",
    retention: { days: 1, maxEvents },
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string" },
      { name: "temperature", type: "number" },
    ],
  });
  const source = await call("POST", `/v1/businesses/${business.id}/sources`, { name: "fleet" });
  const status = () => call("GET", `/v1/businesses/${business.id}/status`);

  console.log(
    `Sustained ${fmt(rate, 0)} events/s in batches of ${batch} for ${seconds} s; retention.maxEvents ${fmt(maxEvents, 0)}`,
  );
  console.log("    t (s)    sent      kept  to archive    DB size   bytes/kept event");
  const start = performance.now();
  let sent = 0;
  let behind = 0;
  let peak = { bytes: 0, events: 0 };
  const report = async () => {
    const { storage } = await status();
    if (storage.bytes > peak.bytes) peak = storage;
    const t = (performance.now() - start) / 1000;
    console.log(
      `  ${fmt(t, 0).padStart(7)} ${fmt(sent, 0).padStart(7)} ${fmt(storage.events, 0).padStart(9)} ${fmt(storage.pendingArchive, 0).padStart(11)} ${`${fmt(storage.bytes / 1e6)} MB`.padStart(10)}   ${storage.events ? fmt(storage.bytes / storage.events, 0) : "-"}`,
    );
    return storage;
  };
  const timer = setInterval(report, 10_000);
  const perRequestMs = (batch / rate) * 1000;
  // Four senders, each keeping its share of the schedule; a sender that falls behind skips ahead.
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      let next = start + lane * perRequestMs;
      while (next - start < seconds * 1000) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else behind++;
        const now = Date.now();
        const events = Array.from({ length: batch }, (_, i) => ({
          timestamp: now,
          deviceId: `d${(sent + i) % 5000}`,
          temperature: 20 + ((sent + i) % 100) / 10,
        }));
        await call("POST", `/v1/ingest/${business.id}`, events, source.token);
        sent += batch;
        next += 4 * perRequestMs;
      }
    }),
  );
  clearInterval(timer);
  const elapsed = (performance.now() - start) / 1000;
  console.log(
    `Sent ${fmt(sent, 0)} events in ${fmt(elapsed)} s: ${fmt(sent / elapsed, 0)} events/s achieved${behind ? ` (${behind} requests late)` : ""}`,
  );
  // Let the alarm finish archiving, rolling up and pruning what arrived last.
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 10_000));
    await report();
  }
  const end = await status();
  const perEvent = peak.events ? peak.bytes / peak.events : 0;
  const achieved = sent / elapsed;
  const over = Math.max(0, peak.events - maxEvents);
  const lagSeconds = over / achieved;
  console.log(
    `\nPeak: ${fmt(peak.events, 0)} events kept (${fmt(over, 0)} over maxEvents, ${fmt(lagSeconds)} s of arrivals), ${fmt(peak.bytes / 1e6)} MB, ${fmt(perEvent, 0)} bytes per kept event`,
  );
  console.log(
    `After the run settled: ${fmt(end.storage.events, 0)} events, ${fmt(end.storage.bytes / 1e6)} MB`,
  );
  const target = 10_000;
  const keptAtTarget = 1_000_000 + lagSeconds * target;
  console.log(
    `At ${fmt(target, 0)} events/s with maxEvents 1,000,000 the same lag keeps about ${fmt(keptAtTarget, 0)} events, ~${fmt((keptAtTarget * perEvent) / 1e9, 2)} GB of the 10 GB per object (bytes per event as measured here).`,
  );
} finally {
  api.stop();
}
