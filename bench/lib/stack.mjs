// Starts wrangler dev servers for benchmarks and stops them by process group.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
// Run wrangler under this Node (22, from the node devDependency), not whatever `node` is first on PATH.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** Starts `wrangler dev` for a config on a port and resolves when it answers. */
export async function startWorker({ config, port, inspectorPort, vars = {} }) {
  const persist = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), "anom-bench-"));
  const args = [
    "dev",
    "-c",
    config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persist,
    "--show-interactive-dev-session=false",
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(process.execPath, [wrangler, ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_REGISTRY_PATH: join(persist, "registry"),
    },
  });
  let log = "";
  child.stdout.on("data", (d) => {
    log += d;
  });
  child.stderr.on("data", (d) => {
    log += d;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`worker on ${port} did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    persist,
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    },
  };
}

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
