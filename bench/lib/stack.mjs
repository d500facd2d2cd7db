// Load generation for benchmarks; the servers come from scripts/lib/stack.mjs.
export { freePort, migrate, startWorker } from "../../scripts/lib/stack.mjs";

/** Runs `concurrency` loops of `send` for `seconds`; returns req/s and latency percentiles (ms). */
export async function load({ seconds, concurrency, send }) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await send();
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    errors,
    elapsed,
  };
}

export const fmt = (n, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The number after `--name` on the command line, or the fallback. */
export const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** The fields of the bench's business (`benchEvent` fits them). */
export const BENCH_FIELDS = [
  { name: "timestamp", type: "timestamp" },
  { name: "routeId", type: "string", required: true },
  { name: "durationMs", type: "number", required: true },
  { name: "status", type: "enum", values: ["OK", "FAILED"] },
];

let benchCount = 0;
/** A fresh event for BENCH_FIELDS: 50 routes, varying durations, one in 20 failed. */
export function benchEvent() {
  benchCount++;
  return {
    timestamp: Date.now(),
    routeId: `R${benchCount % 50}`,
    durationMs: (benchCount * 37) % 9000,
    status: benchCount % 20 ? "OK" : "FAILED",
  };
}
