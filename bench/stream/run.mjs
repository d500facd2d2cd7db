// bench/stream: events per second through the stream (one WebSocket, the window kept
// full) against single-event POSTs at the same concurrency, on the real local stack
// (wrangler dev). Prints acknowledged events/s, the median ack latency, and checks
// that the business stored exactly the acknowledged events.
// Usage: node bench/stream/run.mjs [--seconds 4] [--per-frame 1,10]
import { client } from "../../scripts/lib/api.mjs";
import { arg, fmt, freePort, load, migrate, startWorker } from "../lib/stack.mjs";

const seconds = arg("--seconds", 4);
const perFrame = (process.argv[process.argv.indexOf("--per-frame") + 1] ?? "")
  .split(",")
  .map(Number)
  .filter((k) => process.argv.includes("--per-frame") && k > 0);
if (perFrame.length === 0) perFrame.push(1, 10);
const admin = "bench-admin-token";
const WINDOW = 32;

const stack = await startWorker({
  config: "wrangler.toml",
  port: await freePort(),
  inspectorPort: await freePort(),
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
const c = client(stack.url, admin);
const fields = [
  { name: "routeId", type: "string", required: true },
  { name: "durationMs", type: "number", required: true },
];
let n = 0;
const event = () => ({ routeId: `R${n++ % 50}`, durationMs: (n * 37) % 9000 });
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function stored(businessId) {
  let count = 0;
  let cursor = "";
  for (;;) {
    const page = await c.json(
      "GET",
      `/v1/businesses/${businessId}/events?limit=1000${cursor ? `&cursor=${cursor}` : ""}`,
    );
    count += page.items.length;
    if (!page.nextCursor) return count;
    cursor = page.nextCursor;
  }
}

/** Keeps WINDOW frames in flight for `seconds`; resolves with what was acknowledged. */
async function stream(businessId, token, events) {
  const ws = new WebSocket(`${stack.url.replace(/^http/, "ws")}/v1/stream/${businessId}`, [
    "anom-stream",
    `anom-token.${token}`,
  ]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("no stream"));
  });
  const sentAt = new Map();
  const latencies = [];
  let acked = 0;
  let seq = 0;
  let stop = false;
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const sendOne = () => {
    seq += 1;
    sentAt.set(seq, performance.now());
    const lines = [{ $key: `bench-${seq}` }];
    for (let i = 0; i < events; i++) lines.push(event());
    ws.send(lines.map((l) => JSON.stringify(l)).join("\n"));
  };
  ws.onmessage = ({ data }) => {
    const msg = JSON.parse(data);
    if (msg.ack === undefined) return;
    if (msg.status !== 202) throw new Error(`ack ${JSON.stringify(msg)}`);
    latencies.push(performance.now() - sentAt.get(msg.ack));
    acked += msg.accepted;
    if (!stop) sendOne();
    else if (latencies.length === seq) done();
  };
  const start = performance.now();
  for (let i = 0; i < WINDOW; i++) sendOne();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  await finished;
  const elapsed = (performance.now() - start) / 1000;
  ws.close();
  return { acked, elapsed, latency: median(latencies) };
}

async function posts(businessId, token) {
  const r = await load({
    seconds,
    concurrency: WINDOW,
    send: async () => {
      const res = await fetch(`${stack.url}/v1/ingest/${businessId}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(event()),
      });
      await res.arrayBuffer();
      return res.status === 202;
    },
  });
  return { acked: r.requests - r.errors, elapsed: r.elapsed, latency: r.p50 };
}

try {
  await migrate(stack.persist);
  const rows = [];
  const run = async (label, fn) => {
    const { business, token } = await c.business({ name: `bench ${label}`, fields });
    const r = await fn(business.id, token);
    const count = await stored(business.id);
    rows.push({ label, ...r, stored: count });
  };
  await run(`POST, 1 event, ${WINDOW} at once`, posts);
  for (const k of perFrame)
    await run(`stream, ${k} event(s)/frame, window ${WINDOW}`, (id, t) => stream(id, t, k));
  for (const r of rows)
    console.log(
      `${r.label.padEnd(42)} ${fmt(r.acked / r.elapsed, 0).padStart(8)} events/s  median ack ${fmt(r.latency)} ms  acked ${r.acked}  stored ${r.stored}${r.acked === r.stored ? "" : "  MISMATCH"}`,
    );
} finally {
  stack.stop();
}
