/**
 * bench/anomaly: the detector alone (the same code the business DO runs, fed
 * the same points in the same order, so its verdicts are those of a replay
 * through ingest: `npm run bench:anomaly:replay` checks that on the real stack)
 * over the corpora of corpora.ts, scored like the Numenta Anomaly Benchmark's
 * standard profile (nab.ts) and by false alerts per 1,000 points.
 *
 * Usage: npm run bench:anomaly -- [--skab <folder>] [--per 10] [--only traits|synthetic|skab] [--kinds]
 */
import { existsSync } from "node:fs";
import { observe, SENSITIVITY } from "../../workers/business/engine/anomaly";
import { newDetectorState } from "../../workers/business/engine/detector-state";
import { buildCases, options, printTable } from "./corpora";

// SKAB sits beside the project on the development machine; another folder can be named.
const o = options(
  process.argv.slice(2),
  existsSync("../shared/data/skab") ? "../shared/data/skab" : "",
);
const t0 = performance.now();
const cases = buildCases(o);
printTable(
  cases,
  (c, s) =>
    c.series.flatMap((points) => {
      const state = newDetectorState();
      return points
        .filter((p) => observe(state, p.value, p.time, "UTC", SENSITIVITY[s]).opened)
        .map((p) => p.time);
    }),
  o.byKind,
);
if (!o.skab) console.log("\n(SKAB not found: pass --skab <folder of its CSV files> to include it)");
console.log(`\n${cases.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
