import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import type { Worker } from "../../scripts/lib/stack.mjs";
import { freePort, migrate, startWorker } from "../../scripts/lib/stack.mjs";

/** Where the stack's own output goes once the run ends (it is never printed). */
const LOGS = "test-results/e2e";

/** Runs a build step; its output is shown only when it fails. */
function run(args: string[]) {
  try {
    execFileSync(process.execPath, args, { stdio: "pipe" });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`node ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
}

/**
 * Vitest global setup for the e2e project: one local stack, as `npm start`
 * runs it, for every file. It builds the UI (the Pages build and its
 * `_worker.js`), starts the API worker and the UI worker with `wrangler dev`
 * (sharing state and the dev registry), applies the D1 migrations, and
 * provides the URLs and the admin token (`inject("e2eStack")`).
 *
 * Files share it safely because each creates its own businesses, sources,
 * workspaces and people, and looks only at those. The stack is configured to
 * suit all of them: private targets allowed (the tests' receivers listen on
 * loopback), UI_URL at this UI (a notification's link is followed in the
 * browser), and a short notification retry backoff (a second, not ten) so a
 * retried delivery does not wait half a minute.
 */
export default async function setup(project: TestProject) {
  run(["node_modules/@react-router/dev/bin.js", "build"]);
  run(["app/build.mjs"]);
  const admin = "e2e-admin-token";
  const uiPort = await freePort();
  const workers: Worker[] = [];
  const stop = () => {
    for (const w of workers) w.stop();
    mkdirSync(LOGS, { recursive: true });
    for (const [name, w] of [
      ["api", workers[0]],
      ["ui", workers[1]],
    ] as const) {
      if (w) writeFileSync(`${LOGS}/${name}.log`, w.log());
    }
  };
  try {
    const api = await startWorker({
      config: "wrangler.toml",
      port: await freePort(),
      inspectorPort: await freePort(),
      vars: {
        ADMIN_TOKEN: admin,
        ENVIRONMENT: "development",
        ALLOW_PRIVATE_TARGETS: "true",
        UI_URL: `http://127.0.0.1:${uiPort}`,
        NOTIFY_RETRY_BASE_SECONDS: "1",
      },
    });
    workers.push(api);
    await migrate(api.persist);
    const ui = await startWorker({
      config: "app/wrangler.dev.toml",
      port: uiPort,
      inspectorPort: await freePort(),
      persist: api.persist,
      registry: `${api.persist}/registry`,
    });
    workers.push(ui);
    project.provide("e2eStack", { api: api.url, ui: ui.url, admin });
  } catch (error) {
    stop();
    throw error;
  }
  return stop;
}
