// bench/ingest/pair.mjs: what a durable single-event path costs on this runtime,
// side by side in interleaved rounds: the hello-world Worker, a minimal Worker that
// makes one RPC to a SQLite-backed Durable Object (bench/ingest/minimal: without and
// with one row written), and Anom's POST /v1/ingest. For single events also the
// minimal Worker parsing the body and answering without any RPC (what the edge
// alone costs, not durable) and with a group commit as Anom's (concurrent
// requests in one call, one INSERT); for batches, each event its own indexed row.
// Each round sends the same number of requests to each stack in turn and reads the CPU time
// (user + system) of each stack's process group (wrangler and workerd) from /proc,
// so the CPU per request holds even when other work shares the machine.
// Prints medians over the rounds: req/s, ratio to hello world (per round), CPU ms per
// request, latency p50 / p99, and the machine's load average.
// With --before DIR, a second Anom stack from another checkout (e.g. a `git worktree`
// of the commit before a change) joins the rounds, so before and after are compared
// under the same load.
// With --batch N each request carries N events (/write stores them as one row, /rows one row each).
// With --vars K=V,K2=V2 the Anom stacks get those variables too (e.g. COALESCE_ABOVE_RPS=off).
// Prints how Anom's answers went (the `ingest-path` header: direct, grouped, coalesced).
// Usage: node bench/ingest/pair.mjs [--rounds 5] [--requests 300] [--concurrency 8] [--before DIR] [--batch 1] [--vars K=V]

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { client } from "../../scripts/lib/api.mjs";
import {
  arg,
  BENCH_FIELDS,
  benchEvent,
  fmt,
  freePort,
  migrate,
  startWorker,
} from "../lib/stack.mjs";

const rounds = arg("--rounds", 5);
const requests = arg("--requests", 300);
const concurrency = arg("--concurrency", 8);
const batch = arg("--batch", 1);
const admin = "bench-admin-token";
const before = process.argv.includes("--before")
  ? process.argv[process.argv.indexOf("--before") + 1]
  : undefined;
const extraVars = process.argv.includes("--vars")
  ? Object.fromEntries(
      process.argv[process.argv.indexOf("--vars") + 1].split(",").map((kv) => kv.split("=")),
    )
  : {};
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU ms of every live process in a process group: in all, and the runtime's (workerd) user and system time. */
function groupCpuMs(pgid) {
  const cpu = { total: 0, user: 0, system: 0 };
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state is field 3.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(f[2]) !== pgid) continue;
    const [user, system] = [Number(f[11]) * TICK_MS, Number(f[12]) * TICK_MS];
    cpu.total += user + system;
    if (stat.includes("(workerd)")) {
      cpu.user += user;
      cpu.system += system;
    }
  }
  return cpu;
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function fire(url, headers, body) {
  const latencies = [];
  let sent = 0;
  let failed = 0;
  const paths = {};
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < requests) {
        sent++;
        const t0 = performance.now();
        const r = await fetch(url, { method: "POST", headers, body: body() });
        await r.arrayBuffer();
        if (r.status !== 202) failed++;
        const path = r.headers.get("ingest-path") ?? "direct";
        paths[path] = (paths[path] ?? 0) + 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: requests / seconds, p50: pct(0.5), p99: pct(0.99), failed, paths };
}

const stacks = [];
const start = async (config, vars) => {
  const s = await startWorker({
    config,
    port: await freePort(),
    inspectorPort: await freePort(),
    vars,
  });
  stacks.push(s);
  return s;
};

try {
  const hello = await start("bench/ingest/hello/wrangler.toml");
  const minimal = await start("bench/ingest/minimal/wrangler.toml");
  const anom = async (config) => {
    const api = await start(config, {
      ADMIN_TOKEN: admin,
      ENVIRONMENT: "development",
      ...extraVars,
    });
    await migrate(api.persist);
    const { business, token } = await client(api.url, admin).business({
      name: "pair",
      fields: BENCH_FIELDS,
    });
    return {
      stack: api,
      url: `${api.url}/v1/ingest/${business.id}`,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    };
  };
  const api = await anom("wrangler.toml");
  const previous = before ? await anom(join(before, "wrangler.toml")) : undefined;
  const event = () =>
    JSON.stringify(batch === 1 ? benchEvent() : Array.from({ length: batch }, benchEvent));
  const json = { "content-type": "application/json" };
  const targets = [
    { name: "hello world", stack: hello, url: hello.url, headers: json },
    { name: "Worker -> DO RPC", stack: minimal, url: `${minimal.url}/rpc`, headers: json },
    { name: "RPC + 1 SQLite row", stack: minimal, url: `${minimal.url}/write`, headers: json },
    ...(batch === 1
      ? [
          { name: "parse, no RPC", stack: minimal, url: `${minimal.url}/parse`, headers: json },
          {
            name: "grouped RPC + rows",
            stack: minimal,
            url: `${minimal.url}/grouped`,
            headers: json,
          },
        ]
      : [
          {
            name: "RPC + a row per event",
            stack: minimal,
            url: `${minimal.url}/rows`,
            headers: json,
          },
        ]),
    { name: "anom POST /v1/ingest", ...api },
    ...(previous ? [{ name: "anom, before", ...previous }] : []),
  ];
  // Warm-up: compile, token cache, object created.
  const saved = requests;
  for (const t of targets) {
    const r = await fire(t.url, t.headers, event);
    if (r.failed) throw new Error(`${t.name}: ${r.failed} of ${saved} requests failed`);
  }
  const results = new Map(targets.map((t) => [t.name, []]));
  const loads = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg());
    for (const t of targets) {
      const cpu0 = groupCpuMs(t.stack.pid);
      const r = await fire(t.url, t.headers, event);
      const cpu1 = groupCpuMs(t.stack.pid);
      const per = (k) => (cpu1[k] - cpu0[k]) / requests;
      results
        .get(t.name)
        .push({ ...r, cpu: per("total"), user: per("user"), system: per("system") });
    }
  }
  const hellos = results.get("hello world");
  console.log(
    `${rounds} interleaved rounds x ${requests} requests of ${batch} event(s), concurrency ${concurrency}; load average per round: ${loads.join(" | ")}`,
  );
  console.log(
    "target               | events/s |  req/s | ratio to hello | CPU ms/req | CPU ratio | workerd user / sys ms/req | p50 ms | p99 ms",
  );
  for (const t of targets) {
    const rs = results.get(t.name);
    const ratio = median(rs.map((r, i) => r.rps / hellos[i].rps));
    const cpuRatio = median(rs.map((r, i) => hellos[i].cpu / r.cpu));
    const failed = rs.reduce((s, r) => s + r.failed, 0);
    console.log(
      `${t.name.padEnd(20)} | ${fmt(median(rs.map((r) => r.rps * batch)), 0).padStart(8)} | ${fmt(median(rs.map((r) => r.rps)), 0).padStart(6)} | ${fmt(ratio, 2).padStart(14)} | ${fmt(median(rs.map((r) => r.cpu)), 2).padStart(10)} | ${fmt(cpuRatio, 2).padStart(9)} | ${`${fmt(median(rs.map((r) => r.user)), 2)} / ${fmt(median(rs.map((r) => r.system)), 2)}`.padStart(25)} | ${fmt(median(rs.map((r) => r.p50))).padStart(6)} | ${fmt(median(rs.map((r) => r.p99))).padStart(6)}${failed ? `  (${failed} failed)` : ""}`,
    );
  }
  console.log(
    "CPU: the stack's process group (wrangler's Node process and workerd); CPU ratio: hello world's CPU per request over the target's (1.00 = as cheap as hello world).",
  );
  for (const t of targets.filter((t) => t.name.startsWith("anom"))) {
    const paths = {};
    for (const r of results.get(t.name))
      for (const [path, n] of Object.entries(r.paths)) paths[path] = (paths[path] ?? 0) + n;
    const all = Object.values(paths).reduce((a, b) => a + b, 0);
    console.log(
      `${t.name}: ${Object.entries(paths)
        .map(([path, n]) => `${path} ${fmt((100 * n) / all, 1)} %`)
        .join(", ")} of answers`,
    );
  }
} finally {
  for (const s of stacks) s.stop();
}
