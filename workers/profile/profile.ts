import type { Business } from "../../schema/contracts/businesses";
import type { Rule, RuleCreate } from "../../schema/contracts/rules";
import { fingerprintOf } from "./fingerprint";
import type { History } from "./history";
import { rangeFindings } from "./ranges";
import { rateFindings } from "./rates";
import { chooseGroupField, rhythmFindings } from "./rhythm";
import { totalFindings } from "./totals";
import type { Draft, Note } from "./types";
import { isoOf, MIN_EVENTS } from "./types";

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
  if (history.events.length < MIN_EVENTS) {
    return {
      ...base,
      drafts: [],
      groupField: null,
      notes: [
        {
          subject: business.name,
          reason: `only ${history.events.length} events in the last ${Math.round((history.to - history.from) / 86_400_000)} days; the profile engine needs at least ${MIN_EVENTS} before it suggests anything`,
        },
      ],
    };
  }
  const groupField = chooseGroupField({ business, history });
  const ctx = { business, history, groupField };
  const drafts: Draft[] = [];
  const notes: Note[] = [];
  for (const analysis of [rhythmFindings, rangeFindings, totalFindings, rateFindings]) {
    const found = analysis(ctx);
    drafts.push(...found.drafts);
    notes.push(...found.notes);
  }
  const covered = new Set(rules.map((r) => fingerprintOf(r as RuleCreate)));
  const fresh: Draft[] = [];
  for (const d of drafts) {
    d.fingerprint = fingerprintOf(d.rule);
    if (covered.has(d.fingerprint)) continue;
    covered.add(d.fingerprint);
    fresh.push(d);
  }
  return { ...base, drafts: fresh, notes, groupField: groupField ?? null };
}
