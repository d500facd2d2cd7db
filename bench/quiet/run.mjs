// bench/quiet: how noisy is the demo? Starts a fresh local stack (wrangler dev),
// runs `npm run demo` against it for --seconds (default 600), then counts the
// alerts that opened and resolved by themselves within 60 s of each other
// (flaps), by business and rule. The issue's target is 0.
// Usage: node bench/quiet/run.mjs [--seconds 600]
import { spawn } from "node:child_process";
import { client } from "../../scripts/lib/api.mjs";
import { arg, migrate, startWorker } from "../lib/stack.mjs";

const seconds = arg("--seconds", 600);
const admin = "bench-admin-token";
const FLAP_MS = 60_000;

const api = await startWorker({
  config: "wrangler.toml",
  port: 8895,
  inspectorPort: 9395,
  vars: { ADMIN_TOKEN: admin, ENVIRONMENT: "development" },
});
try {
  await migrate(api.persist);
  const started = Date.now();
  await new Promise((resolve, reject) => {
    const demo = spawn(
      process.execPath,
      [new URL("../../scripts/demo.mjs", import.meta.url).pathname, "--seconds", String(seconds)],
      { stdio: "inherit", env: { ...process.env, ANOM_API: api.url, ADMIN_TOKEN: admin } },
    );
    demo.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`demo exited ${code}`))));
  });
  const c = client(api.url, admin);
  const alerts = [];
  let cursor = "";
  do {
    const page = await c.json("GET", `/v1/alerts?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    alerts.push(...page.items);
    cursor = page.nextCursor ?? "";
  } while (cursor);
  const byHand = new Set(["resolved by hand", "the key was forgotten"]);
  const flaps = alerts.filter(
    (a) =>
      a.resolvedAt &&
      !byHand.has(a.resolution) &&
      Date.parse(a.resolvedAt) - Date.parse(a.openedAt) < FLAP_MS,
  );
  const resolved = alerts.filter((a) => a.resolvedAt).length;
  console.log(
    `\nbench/quiet: demo for ${seconds} s (${Math.round((Date.now() - started) / 1000)} s with set-up)`,
  );
  console.log(`alerts opened:                        ${alerts.length}`);
  console.log(`alerts resolved:                      ${resolved}`);
  console.log(`opened and resolved within 60 s:      ${flaps.length}`);
  const perRule = new Map();
  for (const a of alerts) {
    const k = a.ruleName;
    const row = perRule.get(k) ?? { opened: 0, flaps: 0 };
    row.opened++;
    if (flaps.includes(a)) row.flaps++;
    perRule.set(k, row);
  }
  for (const [rule, row] of perRule)
    console.log(`  ${rule.padEnd(28)} opened ${row.opened}, flaps ${row.flaps}`);
  for (const a of flaps)
    console.log(
      `  flap: ${a.ruleName} ${a.groupKey}: ${a.openedAt} → ${a.resolvedAt} (${a.resolution})`,
    );
} finally {
  api.stop();
}
