#!/usr/bin/env node
// `npm run demo`: against the running local stack (`npm start`), creates the
// vision's three example businesses with their fields, sources and rules, then
// streams realistic events into them for a few minutes, with the occasional slow
// route, silent route, overspend and hot sensor. Alerts open and resolve as it goes.
// The greenhouse gets four days of history first, so its anomaly rule has learnt
// each sensor's normal; every business is profiled once (see /suggestions).
// Options: --seconds N (default 180); the API is ANOM_API (a URL) or
// http://127.0.0.1:$ANOM_API_PORT (default 8787), as `npm start` serves it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { client } from "./lib/api.mjs";

const root = join(new URL(".", import.meta.url).pathname, "..");
const api = (
  process.env.ANOM_API ?? `http://127.0.0.1:${process.env.ANOM_API_PORT ?? "8787"}`
).replace(/\/+$/, "");
const secondsArg = process.argv.indexOf("--seconds");
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 180;

/** Ends the demo with a message instead of a stack trace. */
function fail(message) {
  console.error(message);
  process.exit(1);
}
// A request that fails mid-run (the stack stopped, a 4xx) ends the demo with its message.
for (const event of ["unhandledRejection", "uncaughtException"]) {
  process.on(event, (error) => {
    const cause = error?.cause?.code ? ` (${error.cause.code})` : "";
    fail(`The demo stopped: ${error instanceof Error ? error.message : String(error)}${cause}`);
  });
}

const devVars = join(root, ".dev.vars");
const admin =
  process.env.ADMIN_TOKEN ??
  (existsSync(devVars) ? readFileSync(devVars, "utf8") : "")
    .match(/^ADMIN_TOKEN=(.*)$/m)?.[1]
    ?.trim();
if (!admin)
  fail("No admin token: run `npm start` first (it writes .dev.vars), or set ADMIN_TOKEN.");

// Is anything listening? A clear word beats a raw "fetch failed".
try {
  const health = await fetch(`${api}/healthz`, { signal: AbortSignal.timeout(5000) });
  if (!health.ok) fail(`${api}/healthz answered ${health.status}; is that the Anom API?`);
} catch (error) {
  const cause = error?.cause?.code ?? error?.name ?? "no answer";
  fail(
    [
      `Nothing answers at ${api} (${cause}).`,
      "Start the stack with `npm start` (in another terminal), or point the demo at it:",
      "  ANOM_API_PORT=<port> npm run demo    or    ANOM_API=http://host:port npm run demo",
    ].join("\n"),
  );
}

const { json: call } = client(api, admin);

const devices = ["gh-1", "gh-2", "gh-3", "gh-4"];
const jitter = (n) => (Math.random() - 0.5) * 2 * n;
/** A greenhouse sensor's normal: 22 °C, 3 °C warmer in the afternoon, a little noise. */
function normalTemperature(time) {
  const hour = (time / 3_600_000 + 1) % 24;
  return Math.round((22 + 3 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + jitter(0.6)) * 10) / 10;
}

const businesses = [
  {
    name: "Demo: Camel SFTP routes",
    description: "File transfers of the Apache Camel SFTP routes",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "routeId", type: "string", required: true },
      { name: "durationMs", type: "number", required: true, unit: "ms" },
      { name: "bytes", type: "integer", unit: "B" },
      { name: "status", type: "enum", values: ["OK", "FAILED"], required: true },
    ],
    rules: [
      {
        name: "Slow route",
        kind: "immediate",
        condition: "durationMs > 5000",
        groupBy: "routeId",
        severity: "warning",
      },
      { name: "No file", kind: "absence", window: "30s", groupBy: "routeId", severity: "critical" },
      {
        name: "Failing transfers",
        kind: "immediate",
        condition: "status == 'FAILED'",
        groupBy: "routeId",
        tolerance: { rateAbove: 0.3, window: "1m", minEvents: 5 },
      },
    ],
  },
  {
    name: "Demo: Daily expenses",
    description: "Personal spending, by category",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "amount", type: "number", required: true, unit: "EUR" },
      {
        name: "category",
        type: "enum",
        values: ["food", "transport", "fun", "home"],
        required: true,
      },
      { name: "merchant", type: "string" },
    ],
    rules: [
      {
        name: "Overspend today",
        kind: "aggregate",
        expression: "sum(amount) > 400",
        window: "day",
        severity: "warning",
      },
      {
        name: "Spending spree",
        kind: "aggregate",
        expression: "count() > 8",
        window: "1m",
        severity: "info",
      },
      { name: "Big purchase", kind: "immediate", condition: "amount > 150", severity: "info" },
    ],
  },
  {
    name: "Demo: IoT greenhouse",
    description: "Temperature sensors in the greenhouse",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
      { name: "temperature", type: "number", required: true, unit: "°C" },
      { name: "humidity", type: "number", unit: "%" },
    ],
    rules: [
      {
        name: "Hot sensor",
        kind: "immediate",
        condition: "temperature > 35.0",
        groupBy: "deviceId",
        severity: "critical",
      },
      {
        name: "Sensor offline",
        kind: "absence",
        window: "30s",
        groupBy: "deviceId",
        expect: ["gh-1", "gh-2", "gh-3", "gh-4", "gh-5"],
      },
      {
        name: "Warm hour",
        kind: "aggregate",
        expression: "avg(temperature) > 28",
        window: "1h",
        groupBy: "deviceId",
      },
      {
        name: "Odd temperature",
        kind: "anomaly",
        field: "temperature",
        groupBy: "deviceId",
        sensitivity: "medium",
      },
    ],
    // Four days of readings every 10 min, so the anomaly rule has learnt each sensor's normal.
    // The last readings are from just now: rules created after the history learn
    // each sensor's last event from it, and a 30 s absence rule must not take the
    // hop from history to the live stream for sensors going silent.
    history: () => {
      const events = [];
      const now = Date.now();
      for (let t = now - 2_000 - 4 * 86_400_000; t <= now - 2_000; t += 600_000) {
        for (const deviceId of devices) {
          events.push({ timestamp: t, deviceId, temperature: normalTemperature(t), humidity: 60 });
        }
      }
      return events;
    },
  },
];

async function setUp(spec) {
  const { rules, history, ...body } = spec;
  const existing = (await call("GET", "/v1/businesses?limit=500")).items.find(
    (b) => b.name === spec.name,
  );
  const business = existing ?? (await call("POST", "/v1/businesses", body));
  const have = new Set(
    (await call("GET", `/v1/businesses/${business.id}/rules`)).items.map((r) => r.name),
  );
  const createRules = async (which) => {
    for (const rule of which) {
      if (!have.has(rule.name)) await call("POST", `/v1/businesses/${business.id}/rules`, rule);
    }
  };
  const { token } = await call("POST", `/v1/businesses/${business.id}/sources`, {
    name: `demo-${Date.now()}`,
  });
  // Rules that learn see the history as it arrives; the others are created after it
  // and learn it by replay (a 30 s absence rule live during the 10-minute history
  // would only complain about its gaps).
  const learning = rules.filter((r) => r.kind === "anomaly");
  await createRules(learning);
  console.log(`${existing ? "Using" : "Created"} ${spec.name} (${business.id})`);
  if (!existing && history) {
    const events = history();
    for (let i = 0; i < events.length; i += 5000) {
      await call("POST", `/v1/ingest/${business.id}`, events.slice(i, i + 5000), token);
    }
    console.log(`  sent ${events.length} past readings as history`);
  }
  await createRules(rules.filter((r) => !learning.includes(r)));
  const profile = await call("POST", `/v1/businesses/${business.id}/suggestions/run`);
  console.log(
    `  profile engine: ${profile.items.length} suggestion(s) pending${profile.items.length ? " (see /suggestions in the UI)" : ""}`,
  );
  return { business, token };
}

const targets = [];
for (const spec of businesses) targets.push(await setUp(spec));
const [camel, expenses, greenhouse] = targets;
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

/** What each business sends at second `t` of the demo. */
function camelEvents(t) {
  const events = [];
  for (const routeId of ["SFTP-BANK-A", "SFTP-BANK-B", "SFTP-PAYROLL"]) {
    if (routeId === "SFTP-PAYROLL" && t > 20 && t < 80) continue; // goes silent, then comes back
    if (t % 2 !== 0) continue;
    const slow = routeId === "SFTP-BANK-B" && t % 30 >= 10 && t % 30 < 14;
    const failing = routeId === "SFTP-BANK-A" && t > 90 && t < 120 && Math.random() < 0.6;
    events.push({
      timestamp: new Date().toISOString(),
      routeId,
      durationMs: Math.round(slow ? 6000 + Math.random() * 3000 : 800 + jitter(300)),
      bytes: Math.round(50_000 + Math.random() * 200_000),
      status: failing ? "FAILED" : "OK",
    });
  }
  return events;
}

function expenseEvents(t) {
  if (t % 3 !== 0 && !(t > 40 && t < 50)) return [];
  const category = pick(["food", "transport", "fun", "home"]);
  const amount = Math.round((t === 60 ? 180 : 5 + Math.random() * 45) * 100) / 100;
  return [
    {
      timestamp: Date.now(),
      amount,
      category,
      merchant: pick(["Rewe", "BVG", "Kino", "IKEA", "Bäcker"]),
    },
  ];
}

function greenhouseEvents(t) {
  if (t % 2 !== 0) return [];
  return devices.map((deviceId) => {
    const hot = deviceId === "gh-3" && t > 25 && t < 45;
    const now = Date.now();
    return {
      timestamp: now,
      deviceId,
      temperature: hot ? Math.round((37 + jitter(1.5)) * 10) / 10 : normalTemperature(now),
      humidity: Math.round(60 + jitter(5)),
    };
  });
}

const seen = new Map();
async function reportAlerts() {
  for (const { business } of [camel, expenses, greenhouse]) {
    const { items } = await call("GET", `/v1/alerts?businessId=${business.id}&limit=50`);
    for (const a of items.reverse()) {
      if (seen.get(a.id) === a.status) continue;
      seen.set(a.id, a.status);
      const mark =
        a.status === "resolved" ? "✓ resolved" : a.status === "open" ? "! opened  " : "~ acked   ";
      console.log(
        `${new Date().toLocaleTimeString()} ${mark} [${a.severity}] ${business.name.replace("Demo: ", "")}: ${a.summary}${a.status === "resolved" && a.resolution ? ` — ${a.resolution}` : ""}`,
      );
    }
  }
}

console.log(
  `\nStreaming events for ${seconds} s (Ctrl-C to stop). Alerts appear below and in GET /v1/alerts.\n`,
);
const start = Date.now();
for (let t = 0; t < seconds; t++) {
  const sends = [
    [camel, camelEvents(t)],
    [expenses, expenseEvents(t)],
    [greenhouse, greenhouseEvents(t)],
  ].filter(([, events]) => events.length > 0);
  await Promise.all(
    sends.map(([target, events]) =>
      call("POST", `/v1/ingest/${target.business.id}`, events, target.token),
    ),
  );
  if (t % 2 === 0) await reportAlerts();
  const next = start + (t + 1) * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
}
await reportAlerts();
console.log("\nDone. The businesses stay; run the demo again to stream more.");
