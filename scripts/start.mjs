#!/usr/bin/env node
// `npm start`: the whole platform on this machine, in workerd through wrangler.
// Creates .dev.vars with a random admin token when missing, applies the local
// D1 migrations, then serves the API on 8787. State lives in .wrangler/state,
// so data survives restarts.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const apiPort = process.env.ANOM_API_PORT ?? "8787";
const inspectorPort = process.env.ANOM_INSPECTOR_PORT ?? "9329";
const persist = join(root, ".wrangler", "state");
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_REGISTRY_PATH: join(root, ".wrangler", "registry"),
};
// Run wrangler under this Node (22, from the node devDependency), not whatever `node` is first on PATH.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

function ensureDevVars() {
  const file = join(root, ".dev.vars");
  if (!existsSync(file)) {
    const token = randomBytes(24).toString("base64url");
    writeFileSync(
      file,
      `ADMIN_TOKEN=${token}\nENVIRONMENT=development\nALLOW_PRIVATE_TARGETS=true\n`,
      {
        mode: 0o600,
      },
    );
    console.log("Created .dev.vars with a new random admin token.");
  }
  const match = readFileSync(file, "utf8").match(/^ADMIN_TOKEN=(.*)$/m);
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

const token = ensureDevVars();
migrate();

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
    "--show-interactive-dev-session=false",
  ],
  { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] },
);

let announced = false;
dev.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready on/.test(String(chunk))) {
    announced = true;
    console.log(
      [
        "",
        "Anom is running.",
        `  API:          http://127.0.0.1:${apiPort}   (docs: http://127.0.0.1:${apiPort}/docs)`,
        `  Admin token:  ${token}   (from .dev.vars)`,
        "",
      ].join("\n"),
    );
  }
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => dev.kill(signal));
}
dev.on("exit", (code) => process.exit(code ?? 0));
