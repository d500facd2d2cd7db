// bench/ingest/profile.mjs: where a single-event POST /v1/ingest spends its CPU on
// the local runtime. Starts the stack, records a V8 CPU profile through the
// workerd inspector while single events are posted, and prints self time by
// function (the edge Worker and the business's Durable Object share one isolate
// under wrangler dev, so both halves show).
// With --batch N each request carries N events (the batch path).
// With --vars K=V,K2=V2 the stack gets those variables too (e.g. COALESCE_ABOVE_RPS=off).
// Usage: node bench/ingest/profile.mjs [--seconds 6] [--top 30] [--batch 1] [--concurrency 8] [--vars K=V]
// ws (installed with wrangler's local runtime) rather than Node's WebSocket, which the inspector proxy refuses.
import WebSocket from "ws";
import { client } from "../../scripts/lib/api.mjs";
import {
  arg,
  BENCH_FIELDS,
  benchEvent as event,
  load,
  migrate,
  startWorker,
} from "../lib/stack.mjs";

const seconds = arg("--seconds", 6);
const top = arg("--top", 30);
const batch = arg("--batch", 1);
const concurrency = arg("--concurrency", 8);
const extraVars = process.argv.includes("--vars")
  ? Object.fromEntries(
      process.argv[process.argv.indexOf("--vars") + 1].split(",").map((kv) => kv.split("=")),
    )
  : {};
const admin = "bench-admin-token";
const inspectorPort = 9393;

const api = await startWorker({
  config: "wrangler.toml",
  port: 8893,
  inspectorPort,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development", ...extraVars },
});

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspector() {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    const w = waiting.get(msg.id);
    if (w) {
      waiting.delete(msg.id);
      msg.error ? w.reject(new Error(msg.error.message)) : w.resolve(msg.result);
    }
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        waiting.set(++id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

try {
  await migrate(api.persist);
  const c = client(api.url, admin);
  const { business, token } = await c.business({
    name: "profile",
    fields: BENCH_FIELDS,
  });
  const post = () =>
    fetch(`${api.url}/v1/ingest/${business.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(batch === 1 ? event() : Array.from({ length: batch }, event)),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status === 202;
    });
  await load({ seconds: 1, concurrency: 4, send: post });

  const cdp = await inspector();
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const r = await load({ seconds, concurrency, send: post });
  const { profile } = await cdp.send("Profiler.stop");
  cdp.close();

  // Self time per node from the sample counts, summed by function and file.
  const hits = new Map();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const byFn = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    total += count;
    const f = node.callFrame;
    const file = f.url ? f.url.replace(/^.*\//, "") : "";
    const name = `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    byFn.set(name, (byFn.get(name) ?? 0) + count);
  }
  // Total (inclusive) time per function: the samples with it anywhere on their stack.
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inclusive = new Map();
  for (const s of profile.samples) {
    const seen = new Set();
    for (let id = s; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id).callFrame.functionName;
      if (name && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
      }
    }
  }
  // Self time of the runtime's own frames (SQLite `exec`, `put`, ...) by the function that called them.
  const byCaller = new Map();
  for (const s of profile.samples) {
    const leaf = byId.get(s);
    if (leaf.callFrame.url) continue;
    let caller = parent.get(s);
    while (caller !== undefined && !byId.get(caller).callFrame.url) caller = parent.get(caller);
    const name = `${leaf.callFrame.functionName || "(anonymous)"} < ${caller === undefined ? "-" : byId.get(caller).callFrame.functionName || "(anonymous)"}`;
    byCaller.set(name, (byCaller.get(name) ?? 0) + 1);
  }
  console.log(
    `${r.requests} POSTs of ${batch} event(s) at concurrency ${concurrency} in ${seconds}s, ${profile.samples.length} samples`,
  );
  console.log("total % | function (inclusive: the samples with it on the stack)");
  for (const [name, count] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * count) / profile.samples.length).toFixed(1).padStart(7)} | ${name}`);
  }
  console.log("self % | runtime function < its caller");
  for (const [name, count] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((100 * count) / profile.samples.length).toFixed(1).padStart(6)} | ${name}`);
  }
  console.log("self % | function");
  for (const [name, count] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(6)} | ${name}`);
  }
} finally {
  api.stop();
}
