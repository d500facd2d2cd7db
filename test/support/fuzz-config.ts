import type { TestProject } from "vitest/node";

/**
 * The fuzz suite's size: a fixed seed and a bounded number of runs in `npm test`;
 * `npm run bench:fuzz` sets FUZZ_RUNS and FUZZ_SEED for longer, varied runs.
 */
export default function setup(project: TestProject) {
  const runs = Number(process.env.FUZZ_RUNS ?? 12);
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  project.provide("fuzz", {
    runs: Number.isSafeInteger(runs) && runs > 0 ? runs : 12,
    seed: Number.isSafeInteger(seed) ? seed : 20261127,
    verbose: process.env.FUZZ_VERBOSE === "1",
  });
}
