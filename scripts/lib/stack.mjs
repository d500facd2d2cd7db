// Starts wrangler dev servers (for benchmarks and the end-to-end tests) and stops them by process group.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
// Run wrangler under this Node (22, from the node devDependency), not whatever `node` is first on PATH.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/**
 * Starts `wrangler dev` for a config on a port and resolves when it answers.
 * Workers that bind to each other (the UI to the API) must share `registry`
 * and `persist`; by default each gets its own, so separate stacks never meet.
 */
export async function startWorker({
  config,
  port,
  inspectorPort,
  vars = {},
  persist: sharedPersist,
  registry,
}) {
  const persist =
    sharedPersist ?? mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), "anom-stack-"));
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
      WRANGLER_REGISTRY_PATH: registry ?? join(persist, "registry"),
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
    /** What the server wrote so far (stdout and stderr), for a failure's report. */
    log: () => log,
    /** The process group of wrangler and its runtime, for CPU accounting. */
    pid: child.pid,
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    },
  };
}

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Applies the D1 migrations to a wrangler dev state folder. */
export async function migrate(persist) {
  const { execFileSync } = await import("node:child_process");
  execFileSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist],
    {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
}
