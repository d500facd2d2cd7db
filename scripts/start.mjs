#!/usr/bin/env node
// `npm start`: the whole platform on this machine, in workerd through wrangler.
// Creates .dev.vars with a random admin token when missing, applies the local
// D1 migrations, builds the UI, then serves the API on 8787 and the UI (Pages,
// reaching the API through its service binding) on 8788. State lives in
// .wrangler/state, so data survives restarts.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const apiPort = process.env.ANOM_API_PORT ?? "8787";
const uiPort = process.env.ANOM_UI_PORT ?? "8788";
const inspectorPort = process.env.ANOM_INSPECTOR_PORT ?? "9329";
const uiInspectorPort = process.env.ANOM_UI_INSPECTOR_PORT ?? "9330";
const persist = join(root, ".wrangler", "state");
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_REGISTRY_PATH: join(root, ".wrangler", "registry"),
};
// Run wrangler under this Node (22, from the node devDependency), not whatever `node` is first on PATH.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** Local development settings; a missing line is added to an existing .dev.vars, a present one is kept. */
const localDefaults = { ENVIRONMENT: "development", ALLOW_PRIVATE_TARGETS: "true" };

function ensureDevVars() {
  const file = join(root, ".dev.vars");
  if (!existsSync(file)) {
    writeFileSync(file, `ADMIN_TOKEN=${randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
    console.log("Created .dev.vars with a new random admin token.");
  }
  let text = readFileSync(file, "utf8");
  for (const [key, value] of Object.entries(localDefaults)) {
    if (!new RegExp(`^${key}=`, "m").test(text))
      text += `${text.endsWith("\n") || text === "" ? "" : "\n"}${key}=${value}\n`;
  }
  writeFileSync(file, text, { mode: 0o600 });
  const match = text.match(/^ADMIN_TOKEN=(.*)$/m);
  if (!match?.[1]) throw new Error(".dev.vars has no ADMIN_TOKEN=... line");
  return match[1].trim();
}

function migrate() {
  const result = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error("applying the local D1 migrations failed");
  }
}

function buildUi() {
  const result = spawnSync(
    process.execPath,
    [join(root, "node_modules", ".bin", "react-router"), "build"],
    {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    },
  );
  const bundle =
    result.status === 0
      ? spawnSync(process.execPath, [join(root, "app", "build.mjs")], {
          cwd: root,
          env,
          stdio: "inherit",
        })
      : result;
  if (result.status !== 0 || bundle.status !== 0) {
    process.stderr.write((result.stdout ?? "") + (result.stderr ?? ""));
    throw new Error("building the UI failed");
  }
}

const token = ensureDevVars();
migrate();
buildUi();

const dev = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    apiPort,
    "--inspector-port",
    inspectorPort,
    "--persist-to",
    persist,
    // Links in notifications point at the UI where it really runs (ANOM_UI_PORT).
    "--var",
    `UI_URL:http://127.0.0.1:${uiPort}`,
    "--show-interactive-dev-session=false",
  ],
  { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] },
);

// The UI: the Pages build served by workerd, bound to the API worker through the dev registry.
const ui = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    "-c",
    join("app", "wrangler.dev.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    uiPort,
    "--inspector-port",
    uiInspectorPort,
    "--persist-to",
    persist,
    // The "connect a source" page shows snippets with the API's real URL.
    "--var",
    `API_URL:http://127.0.0.1:${apiPort}`,
    "--show-interactive-dev-session=false",
  ],
  { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] },
);

const ready = new Set();
function announce(name, chunk) {
  process.stdout.write(chunk);
  if (!/Ready on/.test(String(chunk)) || ready.has(name)) return;
  ready.add(name);
  if (ready.size < 2) return;
  console.log(
    [
      "",
      "Anom is running.",
      `  UI:           http://127.0.0.1:${uiPort}   (sign in with the admin token)`,
      `  API:          http://127.0.0.1:${apiPort}   (docs: http://127.0.0.1:${apiPort}/docs)`,
      `  Admin token:  ${token}   (from .dev.vars)`,
      "",
    ].join("\n"),
  );
}
dev.stdout.on("data", (chunk) => announce("api", chunk));
ui.stdout.on("data", (chunk) => announce("ui", chunk));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    dev.kill(signal);
    ui.kill(signal);
  });
}
dev.on("exit", (code) => {
  ui.kill("SIGTERM");
  process.exit(code ?? 0);
});
ui.on("exit", (code) => {
  dev.kill("SIGTERM");
  process.exit(code ?? 0);
});
