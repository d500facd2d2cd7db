/**
 * bench/anomaly:replay: the anomaly benchmark through the real local stack
 * (wrangler dev, workerd): every corpus series is sent as history through the
 * ingest API into one business with an anomaly rule per sensitivity, grouped
 * by series, and the alerts the API lists are scored like `npm run
 * bench:anomaly` scores the detector alone. The two tables should agree.
 *
 * Usage: npm run bench:anomaly:replay -- [--skab <folder>] [--per 10] [--only …] [--kinds]
 */
import { existsSync } from "node:fs";
// @ts-expect-error: a plain ES module shared with the scripts
import { client } from "../../scripts/lib/api.mjs";
// @ts-expect-error: a plain ES module shared with the scripts
import { freePort, migrate, startWorker } from "../../scripts/lib/stack.mjs";
import type { Sensitivity } from "../../workers/business/engine/anomaly";
import { buildCases, options, printTable, sensitivities } from "./corpora";

const o = options(
  process.argv.slice(2),
  existsSync("../shared/data/skab") ? "../shared/data/skab" : "",
);
const cases = buildCases(o);
const admin = "bench-admin-token";
const api = await startWorker({
  config: "wrangler.toml",
  port: await freePort(),
  inspectorPort: await freePort(),
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(api.persist);
  const c = client(api.url, admin);
  const { business, token } = await c.business({
    name: "anomaly bench",
    timezone: "UTC",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "series", type: "string", required: true },
      { name: "value", type: "number", required: true },
    ],
  });
  const ruleOf: Record<string, Sensitivity> = {};
  for (const sensitivity of sensitivities) {
    const rule = await c.json("POST", `/v1/businesses/${business.id}/rules`, {
      name: `anomaly ${sensitivity}`,
      kind: "anomaly",
      field: "value",
      groupBy: "series",
      sensitivity,
    });
    ruleOf[rule.id] = sensitivity;
  }

  // Each series in its own time order, one after another, in batches.
  const t0 = performance.now();
  let sent = 0;
  let batch: unknown[] = [];
  const flush = async () => {
    if (batch.length) await c.ingest(business.id, token, batch);
    sent += batch.length;
    batch = [];
  };
  for (const k of cases)
    for (const [j, points] of k.series.entries())
      for (const p of points) {
        batch.push({ timestamp: p.time, series: `${k.id}#${j}`, value: p.value });
        if (batch.length >= 5000) await flush();
      }
  await flush();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `Replayed ${sent.toLocaleString("en-US")} events of ${cases.length} cases through ingest in ${seconds.toFixed(1)} s (${Math.round(sent / seconds).toLocaleString("en-US")} events/s through 3 anomaly rules)\n`,
  );

  // The alert index in D1 follows the DO through its alarm: wait until it stops growing.
  let alerts: { ruleId: string; groupKey: string; eventTime: string }[] = [];
  for (let stable = 0, last = -1; stable < 3; ) {
    await new Promise((r) => setTimeout(r, 1000));
    alerts = [];
    let cursor = "";
    do {
      const page = await c.json(
        "GET",
        `/v1/alerts?businessId=${business.id}&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      alerts.push(...page.items);
      cursor = page.nextCursor ?? "";
    } while (cursor);
    stable = alerts.length === last ? stable + 1 : 0;
    last = alerts.length;
  }
  printTable(
    cases,
    (k, s) =>
      alerts
        .filter((a) => ruleOf[a.ruleId] === s && a.groupKey.startsWith(`${k.id}#`))
        .map((a) => Date.parse(a.eventTime)),
    o.byKind,
  );
} finally {
  await api.stop();
}
