// Longer fuzzing than `npm test` runs: the same suite (test/fuzz/api.test.ts) with
// more runs per operation and a fresh seed each time (or FUZZ_SEED to replay one).
//   npm run bench:fuzz -- [runs per operation, default 200]
import { spawnSync } from "node:child_process";

const runs = Number(process.argv[2] ?? process.env.FUZZ_RUNS ?? 200);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzzing every operation of /openapi.json: ${runs} runs each, seed ${seed}`);
console.log(`replay a failure with: FUZZ_SEED=${seed} npm run bench:fuzz -- ${runs}`);
const started = Date.now();
const result = spawnSync(
  "npx",
  ["vitest", "run", "--project", "workers", "test/fuzz/api.test.ts", "--silent=false"],
  {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed) },
    encoding: "utf8",
  },
);
const summary = result.stdout.split("\n").find((line) => line.includes("fuzz: "));
const failure = result.stdout.split("\n").filter((l) => /AssertionError|Error:|->/.test(l));
console.log(summary?.trim() ?? "(no summary: the suite failed before the end)");
if (result.status !== 0) console.log(failure.slice(0, 10).join("\n"));
console.log(
  `${result.status === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(result.status ?? 1);
