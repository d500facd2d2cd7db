import type { Business } from "../../schema/contracts/businesses";
import type { Json } from "../../schema/contracts/json";
import type { Rule, RuleCreate } from "../../schema/contracts/rules";
import type { History } from "./history";

/** A rule the profile engine proposes, with the reasons a person needs to judge it. */
export interface Draft {
  fingerprint: string;
  /** A complete rule body, approvable as it is. */
  rule: RuleCreate;
  rationale: string;
  evidence: Evidence;
}

export interface Evidence {
  /** What the numbers were computed from: events, gaps, values or days. */
  sampleSize: number;
  unit: "events" | "gaps" | "values" | "days" | "windows";
  from: string;
  to: string;
  /** How many alerts the rule would have raised over the period, and how far to trust that. */
  backtest: Backtest;
  /** Plain data (numbers, small objects): it crosses RPC and lands in D1 as it is. */
  [key: string]: Json;
}

/** A type, not an interface, so it is a `Json` value. */
export type Backtest = {
  alerts: number;
  /** Whole days of history the count covers. */
  days: number;
  /** The history covered, as a person says it: `4 days`, `3 weeks`. */
  covers: string;
  /** Shorter than two weeks: the count says little about next week. */
  lowConfidence: boolean;
  /** `over 4 days: 0 alerts — short history, low confidence` */
  summary: string;
};

/** Why something was not suggested (too little data, too irregular). */
export interface Note {
  subject: string;
  reason: string;
}

export interface Findings {
  drafts: Draft[];
  notes: Note[];
}

export interface Context {
  business: Business;
  history: History;
  /** The field that best splits the events into independent streams (a source, a device), if any. */
  groupField: string | undefined;
  /** The business's rules: what they already watch is not suggested again. */
  rules: Rule[];
}

export const DAY = 86_400_000;
export const MIN_EVENTS = 50;
/** Any suggestion needs events over at least a day; each analysis asks more of its own. */
export const MIN_SPAN_MS = DAY;
export const MIN_GAPS = 20;
/** A backtest over less history than this is flagged as low confidence. */
export const CONFIDENT_DAYS = 14;
export const MIN_VALUES = 100;
export const MIN_DAYS = 7;

export const days = (from: number, to: number) => Math.max(1, Math.round((to - from) / DAY));
export const isoOf = (ms: number) => new Date(ms).toISOString();

/** A span of history as a person says it: `3 min`, `5 h`, `4 days`, `3 weeks`. */
export function spanText(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < DAY) return `${Math.round(ms / 3_600_000)} h`;
  const d = Math.round(ms / DAY);
  if (d === 1) return "1 day";
  return d >= 21 && d % 7 === 0 ? `${d / 7} weeks` : `${d} days`;
}

/** What a rule would have raised over `[from, to]`, with the history it covers stated. */
export function backtestOf(alerts: number, from: number, to: number): Backtest {
  const span = Math.max(0, to - from);
  const covers = spanText(span);
  const lowConfidence = span < CONFIDENT_DAYS * DAY - DAY / 2;
  return {
    alerts,
    days: Math.round(span / DAY),
    covers,
    lowConfidence,
    summary: `over ${covers}: ${alerts} alert${alerts === 1 ? "" : "s"}${lowConfidence ? " — short history, low confidence" : ""}`,
  };
}
