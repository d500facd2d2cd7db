// bench/scale: the management API over a large D1 index, on the real local stack
// (wrangler dev, workerd, local D1 and Durable Object storage). Seeds businesses,
// alerts and 24 h of activity straight into the local D1 database file after the
// real migrations, and one busy business's object with 90 days of history
// (hourly rollups, ungrouped and grouped by route, standing for --archived events,
// the newest --retained events kept as rows), then times the list endpoints, the dashboard and the 90-day
// series, and prints the query plans SQLite chose.
// Usage: node bench/scale/run.mjs [--businesses 10000] [--alerts 1000000]
//   [--archived 10000000] [--retained 1000000] [--seconds 4]
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { arg, fmt, freePort, load, migrate, startWorker } from "../lib/stack.mjs";

const businessCount = arg("--businesses", 10_000);
const alertCount = arg("--alerts", 1_000_000);
const seconds = arg("--seconds", 4);
const archivedCount = arg("--archived", 10_000_000);
const retainedCount = arg("--retained", 1_000_000);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const admin = "bench-admin-token";

/** The local D1 database file wrangler keeps for the DB binding under a state folder. */
function d1File(persist) {
  const dir = join(persist, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return join(dir, file);
}

/** Columns every workspace-aware schema needs; later migrations may add more with defaults. */
function seed(file) {
  const db = new DatabaseSync(file);
  const columns = new Set(
    db
      .prepare("PRAGMA table_info(businesses)")
      .all()
      .map((c) => c.name),
  );
  const workspace = columns.has("workspace_id")
    ? db.prepare("SELECT id FROM workspaces ORDER BY id LIMIT 1").get()?.id
    : undefined;
  db.exec("BEGIN");
  const addBusiness = db.prepare(
    workspace
      ? "INSERT INTO businesses (id, name, workspace_id) VALUES (?, ?, ?)"
      : "INSERT INTO businesses (id, name) VALUES (?, ?)",
  );
  const ids = [];
  for (let i = 0; i < businessCount; i++) {
    const id = `biz_${String(i).padStart(8, "0")}`;
    ids.push(id);
    if (workspace) addBusiness.run(id, `Business ${i}`, workspace);
    else addBusiness.run(id, `Business ${i}`);
  }
  const addAlert = db.prepare(
    `INSERT INTO alerts (id, business_id, rule_id, rule_name, group_key, status, severity, summary,
       opened_at, last_triggered_at, resolved_at, count, event_time, context, seq)
     VALUES (?, ?, ?, 'Too slow', ?, ?, ?, 'durationMs 912 > 500', ?, ?, ?, 1, ?, '{}', ?)`,
  );
  const severities = ["info", "warning", "critical"];
  const start = Date.now() - 90 * 86_400_000;
  for (let i = 0; i < alertCount; i++) {
    // A skewed spread: a few busy businesses hold most alerts, as in real fleets.
    const b = ids[Math.floor(businessCount * (i % 97 === 0 ? Math.random() : Math.random() ** 4))];
    const at = start + Math.floor((i / alertCount) * 90 * 86_400_000);
    const status = i % 50 === 0 ? "open" : i % 71 === 0 ? "acknowledged" : "resolved";
    addAlert.run(
      `alt_${at.toString(36).padStart(9, "0")}${String(i).padStart(7, "0")}`,
      b,
      `rul_${b.slice(4)}_${i % 5}`,
      `R${i % 40}`,
      status,
      severities[i % 3],
      at,
      at,
      status === "resolved" ? at + 60_000 : null,
      at,
      i,
    );
  }
  // 24 h of activity for every business, as the rollup jobs leave it.
  const addHour = db.prepare(
    "INSERT INTO activity_hours (business_id, hour, events, last_at) VALUES (?, ?, ?, ?)",
  );
  const hourNow = Date.now() - (Date.now() % HOUR);
  for (const id of ids) {
    for (let h = 0; h < 24; h++) {
      const hour = hourNow - h * HOUR;
      addHour.run(id, hour, 1 + ((h * 7 + id.length) % 50), hour + 1_800_000);
    }
  }
  db.exec("COMMIT");
  db.exec("ANALYZE");
  const page = "SELECT id FROM businesses WHERE id > 'biz_00005000' ORDER BY id LIMIT 200";
  const plans = {
    "newest alerts": "SELECT * FROM alerts ORDER BY id DESC LIMIT 51",
    "active alerts":
      "SELECT * FROM alerts WHERE \"alerts\".\"status\" in ('open', 'acknowledged') ORDER BY id DESC LIMIT 51",
    "one business's active alerts":
      "SELECT * FROM alerts WHERE business_id = 'biz_00000001' AND \"alerts\".\"status\" in ('open', 'acknowledged') ORDER BY id DESC LIMIT 51",
    "critical alerts, next page":
      "SELECT * FROM alerts WHERE severity = 'critical' AND id < 'alt_z' ORDER BY id DESC LIMIT 51",
    "businesses page": "SELECT * FROM businesses WHERE id > 'biz_00005000' ORDER BY id LIMIT 201",
    "one workspace's active alerts": `SELECT * FROM alerts WHERE business_id IN (SELECT id FROM businesses WHERE workspace_id IN ('${workspace ?? "wsp_default"}')) AND "alerts"."status" in ('open', 'acknowledged') ORDER BY id DESC LIMIT 51`,
    // The summary's queries over a page (workers/api/businesses/summary.ts), 25 pages down.
    "summary: active by severity": `SELECT business_id, severity, count(*) FROM alerts WHERE "alerts"."status" in ('open', 'acknowledged') AND business_id IN (${page}) GROUP BY business_id, severity`,
    "summary: last 24 hours": `SELECT business_id, hour, events FROM activity_hours WHERE business_id IN (${page}) AND hour >= ${hourNow - 23 * HOUR}`,
    "summary: last event": `SELECT business_id, max(last_at) FROM activity_hours WHERE business_id IN (${page}) GROUP BY business_id`,
  };
  console.log("Query plans (EXPLAIN QUERY PLAN):");
  for (const [name, sql] of Object.entries(plans)) {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((r) => r.detail)
      .join("; ");
    console.log(`  ${name.padEnd(30)} ${plan}`);
  }
  db.close();
  return ids;
}

const port = await freePort();
const inspectorPort = await freePort();
const { mkdtempSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const persist = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), "anom-scale-"));
await migrate(persist);
const t0 = performance.now();
const ids = seed(d1File(persist));
console.log(
  `\nSeeded ${fmt(businessCount, 0)} businesses and ${fmt(alertCount, 0)} alerts in ${fmt((performance.now() - t0) / 1000)} s`,
);

const vars = { ADMIN_TOKEN: admin, ENVIRONMENT: "development" };
const start = () => startWorker({ config: "wrangler.toml", port, inspectorPort, persist, vars });

/** The SQLite file of the one business object the bench created (the newest under the state folder). */
function objectFile() {
  const root = join(persist, "v3", "do");
  const dir = readdirSync(root).find((d) => d.includes("BusinessMonitor"));
  if (!dir) throw new Error(`no BusinessMonitor objects under ${root}`);
  const files = readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    .map((f) => join(root, dir, f));
  return files.sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
}

/**
 * 90 days of one busy business: the newest `retainedCount` events as rows over the last
 * 3 days (what its retention keeps), and hourly rollups (ungrouped and per route) for all
 * 90 days whose counts add up to `archivedCount` (what its rollup job leaves; the archived events themselves are
 * not written to R2 here: no series reads them).
 */
function seedObject(file) {
  const db = new DatabaseSync(file);
  db.exec("BEGIN");
  const add = db.prepare(
    "INSERT INTO events (time, received, source, data) VALUES (?, ?, 'src', ?)",
  );
  const now = Date.now();
  const span = 3 * DAY;
  for (let i = 0; i < retainedCount; i++) {
    const t = now - span + Math.floor((i * span) / retainedCount);
    add.run(t, t, `{"timestamp":${t},"routeId":"R${i % 50}","durationMs":${i % 1000}}`);
  }
  db.exec(`INSERT INTO rollups (hour, field, n, total, lo, hi)
    SELECT time - time % ${HOUR}, '', count(*), null, min(time), max(time) FROM events GROUP BY 1`);
  db.exec(`INSERT INTO rollups (hour, field, n, total, lo, hi)
    SELECT time - time % ${HOUR}, 'durationMs', count(v), sum(v), min(v), max(v)
    FROM (SELECT time, json_extract(data, '$.durationMs') AS v FROM events) GROUP BY 1`);
  const first = now - span - ((now - span) % HOUR);
  const oldHours = 87 * 24;
  const per = Math.floor((archivedCount - retainedCount) / oldHours);
  const addHour = db.prepare(
    "INSERT INTO rollups (hour, field, n, total, lo, hi) VALUES (?, ?, ?, ?, ?, ?)",
  );
  // Grouped by routeId (50 routes), as the rollup job folds them: per hour, route and field.
  db.exec(`INSERT INTO rollup_groups (by, field, hour, missing, grp, e, n, total, lo, hi)
    SELECT 'routeId', f.value, time - time % ${HOUR}, 0, json_extract(data, '$.routeId'), count(*),
      count(v), sum(v), min(v), max(v)
    FROM (SELECT time, data, json_extract(data, '$.durationMs') AS v FROM events), json_each('["","durationMs"]') f
    GROUP BY 2, 3, 5`);
  db.exec(`UPDATE rollup_groups SET total = n, lo = 1, hi = 1 WHERE field = ''`);
  const addGroup = db.prepare(
    "INSERT INTO rollup_groups (by, field, hour, missing, grp, e, n, total, lo, hi) VALUES ('routeId', ?, ?, 0, ?, ?, ?, ?, ?, ?)",
  );
  for (let h = 1; h <= oldHours; h++) {
    const hour = first - h * HOUR;
    addHour.run(hour, "", per, null, hour, hour + HOUR - 1);
    addHour.run(hour, "durationMs", per, per * 499.5, 0, 999);
    for (let r = 0; r < 50; r++) {
      const n = Math.floor(per / 50) + (r < per % 50 ? 1 : 0);
      addGroup.run("", hour, `R${r}`, n, n, n, 1, 1);
      addGroup.run("durationMs", hour, `R${r}`, n, n, n * 499.5, 0, 999);
    }
  }
  const last = db.prepare("SELECT max(seq) AS s FROM events").get().s;
  const meta = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  meta.run("rollup_seq", String(last));
  meta.run("archived_seq", String(last));
  db.exec("COMMIT");
  db.close();
  return per * oldHours + retainedCount;
}

let api = await start();
const call = (method, path, body, token = admin) =>
  fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  }).then((r) => r.json());
const busyBusiness = await call("POST", "/v1/businesses", {
  name: "Busy fleet",
  fields: [
    { name: "timestamp", type: "timestamp" },
    { name: "routeId", type: "string" },
    { name: "durationMs", type: "number" },
  ],
});
const source = await call("POST", `/v1/businesses/${busyBusiness.id}/sources`, { name: "fleet" });
await call(
  "POST",
  `/v1/ingest/${busyBusiness.id}`,
  [{ timestamp: Date.now() - 60_000, routeId: "R0", durationMs: 1 }],
  source.token,
);
api.stop();
await new Promise((r) => setTimeout(r, 3000));
const t1 = performance.now();
const historyEvents = seedObject(objectFile());
console.log(
  `Seeded one business's object: ${fmt(retainedCount, 0)} kept events and hourly rollups over 90 days standing for ${fmt(historyEvents, 0)} events, in ${fmt((performance.now() - t1) / 1000)} s`,
);
api = await start();
const get = (path) =>
  fetch(api.url + path, { headers: { authorization: `Bearer ${admin}` } }).then(async (r) => {
    await r.arrayBuffer();
    return r.ok;
  });

try {
  // The cursor 20 pages down, to time a deep page.
  let cursor = "";
  for (let i = 0; i < 20; i++) {
    const page = await fetch(`${api.url}/v1/alerts?limit=50${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { authorization: `Bearer ${admin}` },
    }).then((r) => r.json());
    cursor = page.nextCursor;
  }
  const busy = ids[0];
  const cases = {
    "GET /v1/alerts?limit=50": "/v1/alerts?limit=50",
    "… 20 pages down (cursor)": `/v1/alerts?limit=50&cursor=${cursor}`,
    "… ?status=active": "/v1/alerts?status=active&limit=50",
    "… ?severity=critical": "/v1/alerts?severity=critical&limit=50",
    "… ?businessId=<busiest>&status=active": `/v1/alerts?businessId=${busy}&status=active&limit=50`,
    "GET /v1/businesses?limit=200": "/v1/businesses?limit=200",
    "GET /v1/businesses/summary?limit=200": "/v1/businesses/summary?limit=200",
    "… 25 pages down (cursor)": "/v1/businesses/summary?limit=200&cursor=biz_00005000",
  };
  console.log(`\nLatency over ${seconds}s each, 4 concurrent (req/s; ms p50 / p90 / p99)`);
  for (const [name, path] of Object.entries(cases)) {
    await get(path);
    const r = await load({ seconds, concurrency: 4, send: () => get(path) });
    console.log(
      `  ${name.padEnd(42)} ${fmt(r.rps, 0).padStart(6)}  ${fmt(r.p50)} / ${fmt(r.p90)} / ${fmt(r.p99)}${r.errors ? `  (${r.errors} errors)` : ""}`,
    );
  }

  /** Median of `n` sequential runs of `f` (ms), with min and max. */
  const timed = async (n, f) => {
    const runs = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const extra = await f();
      runs.push({ ms: performance.now() - t, extra });
    }
    runs.sort((x, y) => x.ms - y.ms);
    const mid = runs[Math.floor(n / 2)];
    return { ms: mid.ms, min: runs[0].ms, max: runs[n - 1].ms, extra: mid.extra };
  };
  const json = (path) =>
    fetch(api.url + path, { headers: { authorization: `Bearer ${admin}` } }).then(async (r) => {
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    });

  // The dashboard's loader (app/routes/dashboard.tsx): the summary page and the open alerts.
  const dashboard = async () => {
    const [summary] = await Promise.all([
      json("/v1/businesses/summary?limit=200"),
      json("/v1/alerts?status=active&limit=200"),
    ]);
    return { calls: 2, cards: summary.items.length };
  };
  // What it called before the summary: per business its active alerts, last event and series.
  const before = async () => {
    let calls = 2;
    const [{ items }] = await Promise.all([
      json("/v1/businesses?limit=200"),
      json("/v1/alerts?status=active&limit=200"),
    ]);
    await Promise.all(
      items.map((b) => {
        calls += 3;
        return Promise.all([
          json(`/v1/alerts?businessId=${b.id}&status=active&limit=500`),
          json(`/v1/businesses/${b.id}/events?limit=1`),
          json(`/v1/businesses/${b.id}/series?fn=count&bucket=1h`),
        ]);
      }),
    );
    return { calls, cards: items.length };
  };
  await dashboard();
  const now = await timed(5, dashboard);
  console.log(
    `\nDashboard load (its loader's API calls, 200 cards): ${now.extra.calls} calls, median ${fmt(now.ms, 0)} ms of 5 (min ${fmt(now.min, 0)}, max ${fmt(now.max, 0)})`,
  );
  await before();
  const old = await timed(1, before);
  console.log(
    `  before the summary endpoint: ${old.extra.calls} calls, ${fmt(old.ms, 0)} ms (one run after a warm-up)`,
  );

  const from = Date.now() - 90 * DAY;
  const series = {
    "count per day, 90 days (rollups)": `bucket=1d&from=${from}`,
    "avg durationMs per day, 90 days (rollups)": `fn=avg&field=durationMs&bucket=1d&from=${from}`,
    "count per hour, 90 days (rollups, 2,160 buckets)": `bucket=1h&from=${from}`,
    "count per 5 min, last 24 h (kept events)": `bucket=5m&from=${Date.now() - DAY}`,
    "count per day by routeId, 90 days (grouped rollups)": `bucket=1d&from=${from}&groupBy=routeId`,
    "avg durationMs per day by routeId, 90 days (grouped rollups)": `fn=avg&field=durationMs&bucket=1d&from=${from}&groupBy=routeId`,
    "count per 5 min by routeId, last 24 h (kept events)": `bucket=5m&from=${Date.now() - DAY}&groupBy=routeId`,
  };
  console.log(
    `\nSeries of the busy business (${fmt(historyEvents, 0)} events over 90 days), ms median of 5 (min / max)`,
  );
  for (const [name, query] of Object.entries(series)) {
    const path = `/v1/businesses/${busyBusiness.id}/series?${query}`;
    const answer = await json(path);
    const total = answer.items.reduce((a, p) => a + p.count, 0);
    const r = await timed(5, () => json(path));
    console.log(
      `  ${name.padEnd(62)} ${fmt(r.ms, 0).padStart(6)}  (${fmt(r.min, 0)} / ${fmt(r.max, 0)})  ${fmt(total, 0)} events, incompleteBefore ${answer.incompleteBefore}`,
    );
  }
} finally {
  api.stop();
}
