// bench/profile: how long a profile run takes on a full history, on the real
// local stack (wrangler dev, workerd). A business with a flow field, a status
// enum, an amount and a temperature receives `--events` events spread over 28
// days (8 flows at different rhythms, weekdays 06-22 for half of them), then
// POST …/suggestions/run is timed, cold (first run) and warm.
// Usage: node bench/profile/run.mjs [--events 200000]
import { client } from "../../scripts/lib/api.mjs";
import { arg, fmt, migrate, startWorker } from "../lib/stack.mjs";

const total = arg("--events", 200_000);
const admin = "bench-admin-token";
const DAYS = 28;

const api = await startWorker({
  config: "wrangler.toml",
  port: 8895,
  inspectorPort: 9395,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(api.persist);
  const c = client(api.url, admin);
  const { business, token } = await c.business({
    name: "profile bench",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "flow", type: "string", required: true },
      { name: "status", type: "enum", values: ["OK", "FAILED"], required: true },
      { name: "amount", type: "number", unit: "EUR" },
      { name: "temperature", type: "number", unit: "°C" },
    ],
  });
  const start = Date.now() - DAYS * 86_400_000;
  const step = (DAYS * 86_400_000) / total;
  let seed = 7;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const t0 = performance.now();
  for (let sent = 0; sent < total; ) {
    const batch = [];
    for (let i = 0; i < 10_000 && sent < total; i++, sent++) {
      batch.push({
        timestamp: Math.round(start + sent * step),
        flow: `FLOW-${sent % 8}`,
        status: rand() < 0.02 ? "FAILED" : "OK",
        amount: Math.round(rand() * 10_000) / 100,
        temperature: Math.round((18 + 8 * rand()) * 10) / 10,
      });
    }
    await c.ingest(business.id, token, batch);
  }
  console.log(
    `Sent ${total.toLocaleString("en-US")} events over ${DAYS} days in ${fmt((performance.now() - t0) / 1000)} s`,
  );
  for (const label of ["cold", "warm"]) {
    const t = performance.now();
    const result = await c.json("POST", `/v1/businesses/${business.id}/suggestions/run`);
    console.log(
      `Profile run (${label}): ${fmt((performance.now() - t) / 1000, 2)} s for ${result.run.events.toLocaleString("en-US")} events → ${result.items.length} suggestions, ${result.run.notes.length} notes, streams by ${result.run.groupField ?? "none"}`,
    );
  }
} finally {
  await api.stop();
}
