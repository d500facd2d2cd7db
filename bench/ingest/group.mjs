// bench/ingest/group.mjs: the group commit of single-event requests (workers/ingest/group.ts)
// on the local runtime (`wrangler dev`, one isolate serves every request), where requests
// really are separate: each has its own I/O context, so a member awaiting its group's call
// issued by another request, and clients that disconnect, behave as the runtime makes them.
// Sends --requests single events (a unique routeId each) from --concurrency loops; with
// --abort P a share P of the requests is aborted by its client after --abort-after ms
// (a leader among them leaves its group to `waitUntil`). Then it reads every event back and
// prints: answers by status and ingest path, latency p50 / p99 / max (a member whose leader
// stayed silent would show as a 503 after 10 s), whether every event answered 202 is stored
// exactly once, and the runtime's warnings about cross-request promises or I/O.
// Usage: node bench/ingest/group.mjs [--requests 400] [--concurrency 16] [--abort 0.2] [--abort-after 5]

import { client } from "../../scripts/lib/api.mjs";
import { arg, BENCH_FIELDS, fmt, freePort, migrate, startWorker } from "../lib/stack.mjs";

const requests = arg("--requests", 400);
const concurrency = arg("--concurrency", 16);
const abortShare = arg("--abort", 0.2);
const abortAfter = arg("--abort-after", 5);
const admin = "bench-admin-token";

const stack = await startWorker({
  config: "wrangler.toml",
  port: await freePort(),
  inspectorPort: await freePort(),
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(stack.persist);
  const api = client(stack.url, admin);
  const { business, token } = await api.business({ name: "group", fields: BENCH_FIELDS });
  const url = `${stack.url}/v1/ingest/${business.id}`;
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  // Warm-up: compile, token cache, object created.
  await api.ingest(business.id, token, { routeId: "warm", durationMs: 0 });

  const answers = []; // { route, status, path, ms }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const route = `G${i}`;
        const abort = i % Math.round(1 / abortShare || Infinity) === 1;
        const controller = new AbortController();
        const timer = abort ? setTimeout(() => controller.abort(), abortAfter) : undefined;
        const t0 = performance.now();
        try {
          const res = await fetch(url, {
            method: "POST",
            headers,
            body: JSON.stringify({ timestamp: Date.now(), routeId: route, durationMs: i }),
            signal: controller.signal,
          });
          await res.text();
          answers.push({
            route,
            status: res.status,
            path: res.headers.get("ingest-path") ?? "direct",
            ms: performance.now() - t0,
          });
        } catch {
          answers.push({ route, status: "aborted", path: "-", ms: performance.now() - t0 });
        } finally {
          clearTimeout(timer);
        }
      }
    }),
  );
  // Let what the aborted requests left under waitUntil finish.
  await new Promise((r) => setTimeout(r, 2000));

  const stored = new Map();
  let cursor;
  do {
    const page = await api.json(
      "GET",
      `/v1/businesses/${business.id}/events?from=0&limit=1000${cursor ? `&cursor=${cursor}` : ""}`,
    );
    for (const e of page.items) stored.set(e.data.routeId, (stored.get(e.data.routeId) ?? 0) + 1);
    cursor = page.nextCursor;
  } while (cursor);

  const count = (f) => answers.filter(f).length;
  const by = (key) => {
    const m = new Map();
    for (const a of answers) m.set(a[key], (m.get(a[key]) ?? 0) + 1);
    return [...m].map(([k, n]) => `${k} ${n}`).join(", ");
  };
  const accepted = answers.filter((a) => a.status === 202);
  const lost = accepted.filter((a) => stored.get(a.route) !== 1);
  const twice = [...stored].filter(([, n]) => n > 1);
  const answeredMs = answers.filter((a) => a.status !== "aborted").map((a) => a.ms);
  answeredMs.sort((a, b) => a - b);
  const pct = (p) => answeredMs[Math.min(answeredMs.length - 1, Math.floor(p * answeredMs.length))];
  const aborted = answers.filter((a) => a.status === "aborted");
  const log = stack.log();
  const warnings = log
    .split("\n")
    .filter((l) => /different request|hung|cancel|on behalf of/i.test(l))
    .slice(0, 10);
  console.log(
    `${requests} single-event requests, concurrency ${concurrency}, ${aborted.length} aborted by their client after ${abortAfter} ms`,
  );
  console.log(`answers by status: ${by("status")}; by path: ${by("path")}`);
  console.log(
    `latency of answered requests ms: p50 ${fmt(pct(0.5))}, p99 ${fmt(pct(0.99))}, max ${fmt(answeredMs.at(-1) ?? 0)}`,
  );
  console.log(
    `answered 202 and stored exactly once: ${accepted.length - lost.length} of ${accepted.length}; events stored twice: ${twice.length}; aborted requests stored anyway: ${aborted.filter((a) => stored.has(a.route)).length} of ${aborted.length}; errors (5xx): ${count((a) => typeof a.status === "number" && a.status >= 500)}`,
  );
  console.log(
    `runtime log lines about cross-request promises, hangs or cancels: ${warnings.length ? `\n${warnings.join("\n")}` : "none"}`,
  );
  if (lost.length || twice.length) process.exitCode = 1;
} finally {
  stack.stop();
}
