// bench/scale: the management API over a large D1 index, on the real local stack
// (wrangler dev, workerd, local D1). Seeds businesses and alerts straight into the
// local D1 database file after the real migrations, then times the list endpoints
// and prints the query plans SQLite chose for them.
// Usage: node bench/scale/run.mjs [--businesses 10000] [--alerts 1000000] [--seconds 4]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { arg, fmt, freePort, load, migrate, startWorker } from "../lib/stack.mjs";

const businessCount = arg("--businesses", 10_000);
const alertCount = arg("--alerts", 1_000_000);
const seconds = arg("--seconds", 4);
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
  db.exec("COMMIT");
  db.exec("ANALYZE");
  const plans = {
    "newest alerts": "SELECT * FROM alerts ORDER BY id DESC LIMIT 51",
    "active alerts":
      "SELECT * FROM alerts WHERE status IN ('open','acknowledged') ORDER BY id DESC LIMIT 51",
    "one business's active alerts":
      "SELECT * FROM alerts WHERE business_id = 'biz_00000001' AND status IN ('open','acknowledged') ORDER BY id DESC LIMIT 51",
    "critical alerts, next page":
      "SELECT * FROM alerts WHERE severity = 'critical' AND id < 'alt_z' ORDER BY id DESC LIMIT 51",
    "businesses page": "SELECT * FROM businesses WHERE id > 'biz_00005000' ORDER BY id LIMIT 201",
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

const api = await startWorker({
  config: "wrangler.toml",
  port,
  inspectorPort,
  persist,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
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
  };
  console.log(`\nLatency over ${seconds}s each, 4 concurrent (req/s; ms p50 / p90 / p99)`);
  for (const [name, path] of Object.entries(cases)) {
    await get(path);
    const r = await load({ seconds, concurrency: 4, send: () => get(path) });
    console.log(
      `  ${name.padEnd(42)} ${fmt(r.rps, 0).padStart(6)}  ${fmt(r.p50)} / ${fmt(r.p90)} / ${fmt(r.p99)}${r.errors ? `  (${r.errors} errors)` : ""}`,
    );
  }

  // The dashboard's loader (app/routes/dashboard.tsx) as it calls the API today:
  // a page of businesses and the newest active alerts, then per business its
  // active alerts, its last event and its 24 h series: 2 + 3 × businesses calls.
  const dashboard = async () => {
    const t = performance.now();
    let calls = 0;
    const json = (path) => {
      calls++;
      return fetch(api.url + path, { headers: { authorization: `Bearer ${admin}` } }).then((r) =>
        r.json(),
      );
    };
    const [{ items }] = await Promise.all([
      json("/v1/businesses?limit=200"),
      json("/v1/alerts?status=active&limit=10"),
    ]);
    await Promise.all(
      items.map((b) =>
        Promise.all([
          json(`/v1/alerts?businessId=${b.id}&status=active&limit=500`),
          json(`/v1/businesses/${b.id}/events?limit=1`),
          json(`/v1/businesses/${b.id}/series?fn=count&bucket=1h`),
        ]),
      ),
    );
    return { ms: performance.now() - t, calls };
  };
  await dashboard();
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await dashboard());
  runs.sort((x, y) => x.ms - y.ms);
  console.log(
    `\nDashboard load (its loader's API calls): ${runs[1].calls} calls, median ${fmt(runs[1].ms, 0)} ms of 3 (min ${fmt(runs[0].ms, 0)}, max ${fmt(runs[2].ms, 0)})`,
  );
} finally {
  api.stop();
}
