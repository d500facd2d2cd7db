// After `react-router build`: bundles app/worker.ts (with the server build) into
// build/client/_worker.js, the Pages Function that renders the UI in workerd.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["app/worker.ts"],
  outfile: "build/client/_worker.js",
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["node:*", "cloudflare:*"],
  minify: true,
  logLevel: "warning",
});

// The worker is code, not an asset to serve.
writeFileSync("build/client/.assetsignore", "_worker.js\n");
