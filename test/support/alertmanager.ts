import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "../../scripts/lib/stack.mjs";

/** Debian's package names it `prometheus-alertmanager`; upstream builds `alertmanager`. */
const NAMES = ["prometheus-alertmanager", "alertmanager"];

function findBinary(): string {
  const given = process.env.ALERTMANAGER_BIN;
  if (given) {
    if (existsSync(given)) return given;
    throw new Error(`ALERTMANAGER_BIN=${given} does not exist`);
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  throw new Error(
    "Prometheus Alertmanager is not installed: `apt-get install prometheus-alertmanager` (.ci/run does), or set ALERTMANAGER_BIN",
  );
}

/** What Alertmanager's own `GET /api/v2/alerts` answers, in part. */
export interface ListedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

/**
 * The real Prometheus Alertmanager on a free loopback port, with a minimal
 * configuration (one receiver that sends nowhere), no clustering, and its
 * state in a fresh folder. Stopped by process group.
 */
export async function startAlertmanager() {
  const binary = findBinary();
  const dir = mkdtempSync(join(tmpdir(), "anom-alertmanager-"));
  const config = join(dir, "alertmanager.yml");
  writeFileSync(config, "route:\n  receiver: anom-e2e\nreceivers:\n  - name: anom-e2e\n");
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (d) => {
    log += d;
  });
  child.on("error", (error) => {
    log += String(error);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  /** Stops it and waits for it to exit before removing its folder (it writes there until then). */
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited: ${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Alertmanager did not get ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    /** Active alerts, as Alertmanager lists them through its own API. */
    alerts: async (): Promise<ListedAlert[]> => (await fetch(`${url}/api/v2/alerts`)).json(),
    stop,
  };
}
