// `matches` before and after: the CEL library's own `matches` (JavaScript's
// backtracking RegExp) against RE2 (re2js), which rules use now
// (workers/business/engine/expressions.ts), on `^(a+)+$` with n `a`s and a `!`.
//   node bench/regex/run.mjs [largest n for the backtracking engine, default 24]
import { Environment } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";

const maxBacktracking = Number(process.argv[2] ?? 24);
const env = new Environment();
env.registerVariable("deviceId", "string");
const before = env.parse("deviceId.matches('^(a+)+$')");
const pattern = RE2JS.compile("^(a+)+$");
const after = (deviceId) => pattern.matcher(deviceId).find();

function time(fn, input) {
  const started = performance.now();
  const result = fn(input);
  return { ms: performance.now() - started, result };
}

console.log("n    backtracking RegExp (ms)   RE2 (ms)");
for (const n of [16, 18, 20, 22, 24, 26, 28, 30, 40, 1000, 8192]) {
  const input = `${"a".repeat(n)}!`;
  const re2 = time(after, input);
  const old =
    n <= maxBacktracking ? time((d) => before({ deviceId: d }), input).ms.toFixed(1) : "(skipped)";
  console.log(`${String(n).padEnd(5)}${old.padStart(24)}   ${re2.ms.toFixed(3).padStart(8)}`);
}
