import { humanDuration } from "../business/engine/summary";
import { durationText, percent, Sample } from "./stats";
import type { Context, Findings } from "./types";
import { backtestOf, isoOf } from "./types";

/** Values that name a failure: their share is worth watching. */
const FAILURE =
  /fail|error|reject|timeout|timed.?out|denied|invalid|abort|crash|down|critical|bad|miss/i;
/** Candidate windows for the rate, shortest first. */
const WINDOWS = [1, 3, 6, 12, 24].map((h) => h * 3_600_000);
const MIN_PER_WINDOW = 20;
const MIN_WINDOWS = 24;

/**
 * Enum values that name failures (FAILED, ERROR, TIMEOUT) → an immediate rule
 * with a rate tolerance: alert when their share in a window passes what the
 * history's hours showed.
 */
export function rateFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  for (const field of ctx.business.fields) {
    if (field.type !== "enum") continue;
    for (const value of field.values ?? []) {
      if (!FAILURE.test(value)) continue;
      // The shortest window in which enough hours of the history saw enough events.
      let windowMs = WINDOWS[0] ?? 3_600_000;
      let full: { n: number; hits: number }[] = [];
      let n = 0;
      let hits = 0;
      for (const candidate of WINDOWS) {
        const windows = new Map<number, { n: number; hits: number }>();
        n = 0;
        hits = 0;
        for (const e of ctx.history.events) {
          const v = e.data[field.name];
          if (v === undefined || v === null) continue;
          const w = Math.floor(e.time / candidate);
          const acc = windows.get(w) ?? { n: 0, hits: 0 };
          acc.n++;
          n++;
          if (v === value) {
            acc.hits++;
            hits++;
          }
          windows.set(w, acc);
        }
        windowMs = candidate;
        full = [...windows.values()].filter((w) => w.n >= MIN_PER_WINDOW);
        if (full.length >= MIN_WINDOWS) break;
      }
      const subject = `${field.name} = ${value}`;
      if (full.length < MIN_WINDOWS) {
        findings.notes.push({
          subject,
          reason: `only ${full.length} windows (of up to a day) with at least ${MIN_PER_WINDOW} events; a failure rate needs ${MIN_WINDOWS}`,
        });
        continue;
      }
      const share = n ? hits / n : 0;
      if (share > 0.25) {
        findings.notes.push({
          subject,
          reason: `${percent(share)} of events: too common to alert on its rate`,
        });
        continue;
      }
      const rates = new Sample(full.map((w) => w.hits / w.n));
      const raw = Math.max(rates.q(0.95) * 1.5, share * 3, 0.01);
      const rateAbove = Math.min(0.9, Math.ceil(raw * 100) / 100);
      const alerts = full.filter((w) => w.hits / w.n > rateAbove).length;
      findings.drafts.push({
        fingerprint: "",
        rule: {
          name: `Many ${value} (${field.name})`,
          kind: "immediate",
          condition: `${field.name} == ${JSON.stringify(value)}`,
          tolerance: { rateAbove, window: durationText(windowMs), minEvents: MIN_PER_WINDOW },
          severity: "warning",
          enabled: true,
        },
        rationale: `${percent(share)} of events have ${field.name} ${value} (p95 over ${humanDuration(windowMs)} windows ${percent(rates.q(0.95))}). Alert when more than ${percent(rateAbove)} of the events in ${humanDuration(windowMs)} (at least ${MIN_PER_WINDOW}) are ${value}.`,
        evidence: {
          sampleSize: full.length,
          unit: "windows",
          from: isoOf(ctx.history.events[0]?.time ?? ctx.history.from),
          to: isoOf(ctx.history.events.at(-1)?.time ?? ctx.history.to),
          backtest: backtestOf(
            alerts,
            ctx.history.events[0]?.time ?? ctx.history.from,
            ctx.history.events.at(-1)?.time ?? ctx.history.to,
          ),
          windowMs,
          share,
          windowShare: { p50: rates.median, p95: rates.q(0.95), max: rates.sorted.at(-1) ?? 0 },
          events: n,
        },
      });
    }
  }
  return findings;
}
