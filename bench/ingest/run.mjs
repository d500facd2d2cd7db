// bench/ingest: ingest throughput and latency on the real local stack (wrangler dev,
// workerd, local D1 and Durable Objects), side by side with a hello-world Worker.
// A third stack coalesces every single event (COALESCE_ABOVE_RPS=0): it prints
// the requests the business's Durable Object served per 1,000 events and how
// long an accepted event took to become readable (and evaluated by the rules).
// `sharded` sends to a 4-shard business (1,000 keys; rules per key and across
// keys) and prints the object requests per 1,000 events and each object's share
// of the work (events stored; for the coordinator, the partial state it merged).
// Usage: node bench/ingest/run.mjs [--seconds 8] [--only single|batch|coalesced|sharded]

import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { client } from "../../scripts/lib/api.mjs";
import { fmt, load, migrate, startWorker } from "../lib/stack.mjs";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1] || 8);
const only = process.argv.includes("--only")
  ? process.argv[process.argv.indexOf("--only") + 1]
  : "";
const part = (name) => !only || only === name;
const admin = "bench-admin-token";

const api = await startWorker({
  config: "wrangler.toml",
  port: 8891,
  inspectorPort: 9391,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
const coalescing = await startWorker({
  config: "wrangler.toml",
  port: 8895,
  inspectorPort: 9395,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development", COALESCE_ABOVE_RPS: "0" },
});
const hello = await startWorker({
  config: "bench/ingest/hello/wrangler.toml",
  port: 8892,
  inspectorPort: 9392,
});

const c = client(api.url, admin);

const fields = [
  { name: "timestamp", type: "timestamp" },
  { name: "routeId", type: "string", required: true },
  { name: "durationMs", type: "number", required: true },
  { name: "status", type: "enum", values: ["OK", "FAILED"] },
];

try {
  await migrate(api.persist);
  await migrate(coalescing.persist);
  const { business, token } = await c.business({ name: "bench", fields });
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

  if (part("single")) {
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
      const cell = (r) =>
        `${fmt(r.rps, 0).padStart(6)} (${fmt(r.p50)}/${fmt(r.p90)}/${fmt(r.p99)})`;
      console.log(
        `${String(concurrency).padStart(11)} | ${cell(h).padEnd(22)} | ${cell(a).padEnd(22)} | ${fmt(a.rps / h.rps, 2)}x${a.errors ? `  (${a.errors} errors)` : ""}`,
      );
    }
  }

  if (part("batch")) {
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
  }

  if (part("coalesced")) {
    const cc = client(coalescing.url, admin);
    const { business: cb, token: ct } = await cc.business({ name: "coalesced", fields });
    const url = `${coalescing.url}/v1/ingest/${cb.id}`;
    const send = (body) =>
      fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${ct}`, "content-type": "application/json" },
        body,
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status === 202;
      });
    // Probes: one at a time, the time from its 202 until the events API shows it.
    const delays = [];
    let probing = true;
    const probes = (async () => {
      for (let i = 0; probing; i++) {
        const routeId = `probe-${i}`;
        const sent = await send(JSON.stringify({ timestamp: Date.now(), routeId, durationMs: 1 }));
        const t0 = performance.now();
        if (!sent) continue;
        for (;;) {
          const r = await fetch(
            `${coalescing.url}/v1/businesses/${cb.id}/events?field=routeId&value=${routeId}`,
            {
              headers: { authorization: `Bearer ${admin}` },
            },
          );
          if ((await r.json()).items?.length) break;
          await new Promise((res) => setTimeout(res, 25));
        }
        delays.push(performance.now() - t0);
      }
    })();
    const a = await load({ seconds, concurrency: 8, send: () => send(JSON.stringify(event())) });
    probing = false;
    await probes;
    // Let the consumer drain, then count what the object stored and how many calls it took.
    await new Promise((res) => setTimeout(res, 3000));
    // node:sqlite needs Node 22.5 or later; loaded here so the other parts run on older Node.
    const { DatabaseSync } = await import("node:sqlite");
    const dir = join(coalescing.persist, "v3", "do", "anom-BusinessMonitor");
    let stored = { events: 0, messages: 0, calls: 0 };
    for (const f of readdirSync(dir).filter(
      (f) => f.endsWith(".sqlite") && f !== "metadata.sqlite",
    )) {
      const db = new DatabaseSync(join(dir, f), { readOnly: true });
      try {
        const m = db
          .prepare("select count(*) as messages, count(distinct at) as calls from coalesced")
          .get();
        const e = db.prepare("select count(*) as events from events").get();
        if (m.messages > stored.messages) stored = { ...m, ...e };
      } catch {}
      db.close();
    }
    delays.sort((x, y) => x - y);
    const pct = (p) =>
      delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? 0;
    console.log(`\nCoalesced single events, concurrency 8, ${seconds}s`);
    console.log(
      `${fmt(a.rps, 0)} req/s accepted (p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms)${a.errors ? ` (${a.errors} errors)` : ""}; ` +
        `${stored.events} events stored by ${stored.calls} object calls = ${fmt((1000 * stored.calls) / Math.max(1, stored.events), 1)} object requests per 1,000 events (direct path: 1,000)`,
    );
    console.log(
      `accepted -> readable (and evaluated by the rules): ${delays.length} probes, p50 ${fmt(pct(50), 0)} ms, p99 ${fmt(pct(99), 0)} ms, max ${fmt(delays.at(-1) ?? 0, 0)} ms`,
    );
  }
  if (part("sharded")) {
    console.log(
      `\nA 4-shard business (shardKey routeId, 1,000 keys), concurrency 8, ${seconds}s each`,
    );
    for (const size of [1, 100]) {
      const { business: sb, token: st } = await c.business({
        name: `sharded ${size}`,
        fields,
        shards: 4,
        shardKey: "routeId",
      });
      for (const rule of [
        { name: "route silent", kind: "absence", window: "1h", groupBy: "routeId" },
        {
          name: "slow route",
          kind: "immediate",
          condition: "durationMs > 8990",
          groupBy: "routeId",
        },
        {
          name: "fleet volume",
          kind: "aggregate",
          expression: "count() > 100000000",
          window: "1m",
        },
        { name: "failures", kind: "immediate", condition: 'status == "FAILED"', groupBy: "status" },
      ])
        await c.json("POST", `/v1/businesses/${sb.id}/rules`, rule);
      let k = 0;
      const keyed = () => ({ ...event(), routeId: `device-${k++ % 1000}` });
      const url = `${api.url}/v1/ingest/${sb.id}`;
      const send = (body) =>
        fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${st}`, "content-type": "application/json" },
          body,
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status === 202;
        });
      const body = () => JSON.stringify(size === 1 ? keyed() : Array.from({ length: size }, keyed));
      const a = await load({ seconds, concurrency: 8, send: () => send(body()) });
      // The shards hand their partial state to the coordinator every second: let them.
      await new Promise((res) => setTimeout(res, 3000));
      const objects = objectsOf(api.persist, sb.id);
      const events = objects.reduce((n, o) => n + o.events, 0);
      const requests = objects.reduce((n, o) => n + o.requests, 0);
      console.log(
        `${size === 1 ? "single events" : `batches of ${size}`}: ${fmt(a.rps * size, 0)} events/s accepted (p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms)${a.errors ? ` (${a.errors} errors)` : ""}; ` +
          `${events} events, ${requests} object requests = ${fmt((1000 * requests) / Math.max(1, events), 1)} per 1,000 events`,
      );
      for (const o of objects) {
        console.log(
          o.place === "coordinator"
            ? `  coordinator: ${o.requests} pushes merged ${o.items} partial items (${fmt((1000 * o.items) / Math.max(1, events), 1)} per 1,000 events); ${fmt((100 * o.requests) / Math.max(1, requests), 1)} % of requests`
            : `  ${o.place}: ${o.events} events (${fmt((100 * o.events) / Math.max(1, events), 1)} % of the work), ${o.requests} requests (${fmt((100 * o.requests) / Math.max(1, requests), 1)} %)`,
        );
      }
    }
  }
} finally {
  coalescing.stop();
  api.stop();
  hello.stop();
}

/**
 * The objects of one business in a stack's local storage: each shard's events
 * and requests (distinct receipt times: one per request part it stored), and
 * what the coordinator merged (its pushes and partial items).
 */
function objectsOf(persist, businessId) {
  const dir = join(persist, "v3", "do", "anom-BusinessMonitor");
  // The sqlite3 command line tool, so this part runs on any Node.
  const query = (file, sql) =>
    JSON.parse(
      execFileSync("sqlite3", ["-readonly", "-json", join(dir, file), sql], { encoding: "utf8" }) ||
        "[]",
    );
  const found = [];
  for (const f of readdirSync(dir).filter(
    (f) => f.endsWith(".sqlite") && f !== "metadata.sqlite",
  )) {
    let meta;
    try {
      meta = Object.fromEntries(
        query(f, "select key, value from meta").map((r) => [r.key, r.value]),
      );
    } catch {
      continue;
    }
    if (meta.business_id !== businessId) continue;
    if (meta.seq_floor === "none") {
      found.push({
        place: "coordinator",
        events: 0,
        requests: Number(meta.span_pushes ?? 0),
        items: Number(meta.span_items ?? 0),
      });
    } else {
      const [e] = query(
        f,
        "select count(*) as events, count(distinct received) as requests from events",
      );
      found.push({ place: `shard ${Number(meta.seq_floor ?? 0) / 1e12}`, ...e });
    }
  }
  return found.sort((x, y) => x.place.localeCompare(y.place));
}
