import type { Business } from "../../schema/contracts/businesses";
import type { Rule } from "../../schema/contracts/rules";
import { coveringRule } from "./covered";
import { fingerprintOf } from "./fingerprint";
import type { History } from "./history";
import { rangeFindings } from "./ranges";
import { rateFindings } from "./rates";
import { rhythmFindings } from "./rhythm";
import { chooseGroupField } from "./streams";
import { totalFindings } from "./totals";
import type { Draft, Note } from "./types";
import { isoOf, MIN_EVENTS, MIN_SPAN_MS, spanText } from "./types";

export interface Profile {
  drafts: Draft[];
  notes: Note[];
  events: number;
  archived: number;
  truncated: boolean;
  from: string;
  to: string;
  groupField: string | null;
}

/**
 * Learns what is normal in a business's history and drafts rules for it. Each
 * draft carries a complete rule body, a rationale and its evidence; ideas an
 * existing rule already covers are left out. Too little data gives notes, not guesses.
 */
export function profile(business: Business, history: History, rules: Rule[]): Profile {
  const base = {
    events: history.events.length,
    archived: history.archived,
    truncated: history.truncated,
    from: isoOf(history.from),
    to: isoOf(history.to),
  };
  const missing = tooLittle(history);
  if (missing) {
    return {
      ...base,
      drafts: [],
      groupField: null,
      notes: [{ subject: business.name, reason: missing }],
    };
  }
  const groupField = chooseGroupField({ business, history });
  const ctx = { business, history, groupField, rules };
  const drafts: Draft[] = [];
  const notes: Note[] = [];
  for (const analysis of [rhythmFindings, rangeFindings, totalFindings, rateFindings]) {
    const found = analysis(ctx);
    drafts.push(...found.drafts);
    notes.push(...found.notes);
  }
  const seen = new Set<string>();
  const fresh: Draft[] = [];
  for (const d of drafts) {
    d.fingerprint = fingerprintOf(d.rule);
    if (seen.has(d.fingerprint)) continue;
    seen.add(d.fingerprint);
    const existing = coveringRule(rules, d.rule, business.fields);
    if (existing) {
      notes.push({ subject: d.rule.name, reason: `already covered by rule “${existing.name}”` });
      continue;
    }
    fresh.push(d);
  }
  return { ...base, drafts: fresh, notes, groupField: groupField ?? null };
}

/**
 * Why the history is too little for any suggestion (fewer than MIN_EVENTS
 * events, or events over less than a day), saying what is missing; undefined
 * when there is enough to look further. Each analysis then asks for its own
 * minimum (several cycles of what it claims).
 */
function tooLittle(history: History): string | undefined {
  const n = history.events.length;
  const first = history.events[0]?.time;
  const last = history.events.at(-1)?.time;
  const span = first === undefined || last === undefined ? 0 : last - first;
  if (n >= MIN_EVENTS && span >= MIN_SPAN_MS) return undefined;
  const lacking: string[] = [];
  if (n < MIN_EVENTS) lacking.push(`${MIN_EVENTS - n} more events`);
  if (span < MIN_SPAN_MS) lacking.push(`${spanText(MIN_SPAN_MS - span)} more of history`);
  return `too little data: ${n < MIN_EVENTS ? "only " : ""}${n} events over ${spanText(span)}; the profile engine needs at least ${MIN_EVENTS} events over at least ${spanText(MIN_SPAN_MS)} before it suggests anything (missing: ${lacking.join(", ")})`;
}
