// bench/anomaly: how well anomaly rules find labelled anomalies, on the real
// local stack (wrangler dev, workerd). Labelled synthetic series (spikes, level
// shifts, drifts, an inverted daily cycle, and clean controls; see series.ts)
// are replayed as history through the ingest API into one business with an
// anomaly rule per sensitivity. For each sensitivity and anomaly type it prints
// precision, recall, F1 and the detection delay.
//
// An alert counts as a hit when it opens between the anomaly's start and three
// hours after its end; any other alert is a false alarm. An anomaly is found
// when at least one alert hits it.
// Usage: node bench/anomaly/run.mjs [--series 20] [--days 14]
import { client } from "../../scripts/lib/api.mjs";
import { arg, fmt, migrate, startWorker } from "../lib/stack.mjs";
import { anomalyTypes, labelledSeries } from "./series.ts";

const perType = arg("--series", 20);
const days = arg("--days", 14);
const EVERY_MINUTES = 10;
const GRACE_MS = 3 * 3_600_000;
const admin = "bench-admin-token";
const sensitivities = ["low", "medium", "high"];

const points = (days * 24 * 60) / EVERY_MINUTES;
// Whole days ending before now: the same phase of the daily cycle on every run, so runs compare.
const start = Math.floor((Date.now() - days * 86_400_000 - 3_600_000) / 86_400_000) * 86_400_000;
const series = anomalyTypes.flatMap((type, t) =>
  Array.from({ length: perType }, (_, i) => ({
    id: `${type}-${i + 1}`,
    ...labelledSeries({
      type,
      seed: 1000 * (t + 1) + i,
      start,
      points,
      everyMinutes: EVERY_MINUTES,
    }),
  })),
);

const api = await startWorker({
  config: "wrangler.toml",
  port: 8894,
  inspectorPort: 9394,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(api.persist);
  const c = client(api.url, admin);
  const { business, token } = await c.business({
    name: "anomaly bench",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "series", type: "string", required: true },
      { name: "value", type: "number", required: true },
    ],
  });
  const ruleOf = {};
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

  // Replay in time order, all series interleaved, as a backfill would.
  const t0 = performance.now();
  let batch = [];
  let sent = 0;
  for (let i = 0; i < points; i++) {
    for (const s of series) {
      const p = s.points[i];
      batch.push({ timestamp: p.time, series: s.id, value: p.value });
    }
    if (batch.length >= 5000 || i === points - 1) {
      await c.ingest(business.id, token, batch);
      sent += batch.length;
      batch = [];
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `Replayed ${sent.toLocaleString("en-US")} events (${series.length} series × ${points} points, ${days} days every ${EVERY_MINUTES} min) in ${fmt(seconds)} s: ${fmt(sent / seconds, 0)} events/s through 3 anomaly rules`,
  );

  // The alert index in D1 follows the DO through its alarm: wait until it stops growing.
  let alerts = [];
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

  const byId = new Map(series.map((s) => [s.id, s]));
  const rows = [];
  for (const sensitivity of sensitivities) {
    const mine = alerts.filter((a) => ruleOf[a.ruleId] === sensitivity);
    const total = { hits: 0, alerts: 0, found: 0, anomalies: 0, delays: [] };
    for (const type of anomalyTypes) {
      let hits = 0;
      let all = 0;
      let found = 0;
      const delays = [];
      for (const s of series.filter((x) => x.type === type)) {
        const opened = mine
          .filter((a) => a.groupKey === s.id)
          .map((a) => Date.parse(a.eventTime))
          .sort((a, b) => a - b);
        all += opened.length;
        const within = s.anomaly
          ? opened.filter((t) => t >= s.anomaly.from && t <= s.anomaly.to + GRACE_MS)
          : [];
        hits += within.length;
        if (within.length) {
          found++;
          delays.push((within[0] - s.anomaly.from) / 60_000);
        }
      }
      const anomalies = type === "none" ? 0 : perType;
      rows.push({ sensitivity, type, hits, all, found, anomalies, delays });
      total.hits += hits;
      total.alerts += all;
      total.found += found;
      total.anomalies += anomalies;
      total.delays.push(...delays);
    }
    rows.push({
      sensitivity,
      type: "all",
      hits: total.hits,
      all: total.alerts,
      found: total.found,
      anomalies: total.anomalies,
      delays: total.delays,
    });
  }
  const pct = (x) => (Number.isFinite(x) ? fmt(x, 2) : "-");
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
  };
  console.log(
    `\n${"sensitivity".padEnd(12)}${"type".padEnd(10)}${"alerts".padStart(8)}${"false".padStart(7)}${"found".padStart(9)}${"precision".padStart(11)}${"recall".padStart(8)}${"F1".padStart(7)}${"delay p50".padStart(12)}${"max".padStart(8)}`,
  );
  for (const r of rows) {
    const precision = r.all ? r.hits / r.all : Number.NaN;
    const recall = r.anomalies ? r.found / r.anomalies : Number.NaN;
    const f1 = (2 * precision * recall) / (precision + recall);
    const d50 = median(r.delays);
    const dMax = r.delays.length ? Math.max(...r.delays) : Number.NaN;
    console.log(
      `${r.sensitivity.padEnd(12)}${r.type.padEnd(10)}${String(r.all).padStart(8)}${String(r.all - r.hits).padStart(7)}${`${r.found}/${r.anomalies}`.padStart(9)}${pct(precision).padStart(11)}${pct(recall).padStart(8)}${pct(f1).padStart(7)}${(Number.isFinite(d50) ? `${fmt(d50, 0)} min` : "-").padStart(12)}${(Number.isFinite(dMax) ? `${fmt(dMax, 0)}` : "-").padStart(8)}`,
    );
  }
  const n = byId.size;
  console.log(
    `\n${n} series; controls (type none) have no anomaly, so every alert on them is false.`,
  );
} finally {
  await api.stop();
}
