// bench/engine: the rule engine on the real local stack (wrangler dev, workerd).
// 1. Evaluation cost: the same batches into a business with 100 rules over
//    10,000 keys and into one without rules; the difference is the engine's time.
// 2. Absence lateness: 10,000 live timers on one business's alarm; how long after
//    its deadline each alert opened (openedAt - eventTime).
// Usage: node bench/engine/run.mjs [--batches 40]
import { client } from "../../scripts/lib/api.mjs";
import { arg, fmt, migrate, startWorker } from "../lib/stack.mjs";

const batches = arg("--batches", 40);
const BATCH = 1000;
const KEYS = 10_000;
const admin = "bench-admin-token";

const api = await startWorker({
  config: "wrangler.toml",
  port: 8893,
  inspectorPort: 9393,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(api.persist);
  const c = client(api.url, admin);
  const fields = [
    { name: "timestamp", type: "timestamp" },
    { name: "deviceId", type: "string", required: true },
    { name: "temperature", type: "number", required: true },
    { name: "status", type: "enum", values: ["OK", "WARN", "FAILED"] },
  ];

  // ---- 1. evaluation cost
  const plain = await c.business({ name: "no rules", fields });
  const ruled = await c.business({ name: "100 rules", fields });
  for (let i = 0; i < 100; i++) {
    const kind = i % 10;
    let rule;
    if (kind < 7)
      rule = {
        kind: "immediate",
        condition: `temperature > ${40 + i} && status != 'OK'`,
        groupBy: "deviceId",
      };
    else if (kind < 9)
      rule = {
        kind: "aggregate",
        expression: `sum(temperature) > ${1e6 + i}`,
        window: "1h",
        groupBy: "deviceId",
      };
    else rule = { kind: "absence", window: "6h", groupBy: "deviceId" };
    await c.json("POST", `/v1/businesses/${ruled.business.id}/rules`, { name: `r${i}`, ...rule });
  }
  let n = 0;
  const batch = () =>
    Array.from({ length: BATCH }, () => {
      n++;
      return {
        timestamp: Date.now() - 1000,
        deviceId: `d${n % KEYS}`,
        temperature: 15 + (n % 30),
        status: n % 50 ? "OK" : "WARN",
      };
    });
  const timeBatches = async (target) => {
    // Warm up: first touch of every key loads its state.
    for (let i = 0; i < KEYS / BATCH; i++)
      await c.ingest(target.business.id, target.token, batch());
    const t0 = performance.now();
    for (let i = 0; i < batches; i++) await c.ingest(target.business.id, target.token, batch());
    return (performance.now() - t0) / 1000;
  };
  const without = await timeBatches(plain);
  const withRules = await timeBatches(ruled);
  const events = batches * BATCH;
  const engineSeconds = withRules - without;
  console.log(
    `Evaluation: ${events} events in batches of ${BATCH} over ${KEYS} keys, one request at a time`,
  );
  console.log(`  without rules: ${fmt(events / without, 0)} events/s`);
  console.log(`  with 100 rules: ${fmt(events / withRules, 0)} events/s`);
  console.log(
    `  engine time: ${fmt((engineSeconds / events) * 1e6, 2)} µs per event = ${fmt((engineSeconds / (events * 100)) * 1e9, 0)} ns per rule evaluation`,
  );
  console.log(
    `  => ${fmt((events * 100) / engineSeconds / 1e6, 2)} M rule evaluations/s in the DO (end-to-end: ${fmt((events * 100) / withRules / 1e6, 2)} M/s)`,
  );

  // ---- 2. absence lateness with 10,000 live timers
  const silent = await c.business({ name: "10k timers", fields });
  await c.json("POST", `/v1/businesses/${silent.business.id}/rules`, {
    name: "silent",
    kind: "absence",
    window: "30s",
    groupBy: "deviceId",
  });
  const start = Date.now();
  for (let b = 0; b < KEYS / BATCH; b++) {
    const events = Array.from({ length: BATCH }, (_, i) => {
      const k = b * BATCH + i;
      // Last events spread over 25 s, so deadlines fall 5 to 30 s from now.
      return {
        timestamp: start - 25_000 + Math.floor((k / KEYS) * 25_000),
        deviceId: `d${k}`,
        temperature: 20,
      };
    });
    await c.ingest(silent.business.id, silent.token, events);
  }
  console.log(
    `\nLateness: ${KEYS} absence timers armed in ${fmt((Date.now() - start) / 1000)} s; waiting for their deadlines...`,
  );
  const lateness = [];
  const deadline = Date.now() + 90_000;
  while (lateness.length < KEYS && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5000));
    lateness.length = 0;
    let cursor = null;
    do {
      const page = await c.json(
        "GET",
        `/v1/alerts?businessId=${silent.business.id}&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      for (const a of page.items) lateness.push(Date.parse(a.openedAt) - Date.parse(a.eventTime));
      cursor = page.nextCursor;
    } while (cursor);
  }
  lateness.sort((a, b) => a - b);
  const pct = (p) =>
    lateness[Math.min(lateness.length - 1, Math.floor((p / 100) * lateness.length))];
  console.log(`  alerts opened: ${lateness.length} of ${KEYS}`);
  console.log(
    `  lateness past the deadline: p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${lateness.at(-1)} ms`,
  );
} finally {
  api.stop();
}
