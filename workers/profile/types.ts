import type { Business } from "../../schema/contracts/businesses";
import type { RuleCreate } from "../../schema/contracts/rules";
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
  /** How many alerts the rule would have raised over the period. */
  backtest: { alerts: number; days: number };
  /** Plain data (numbers, small objects): it crosses RPC and lands in D1 as it is. */
  [key: string]: unknown;
}

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
}

export const MIN_EVENTS = 50;
export const MIN_GAPS = 20;
export const MIN_VALUES = 100;
export const MIN_DAYS = 7;

export const days = (from: number, to: number) => Math.max(1, Math.round((to - from) / 86_400_000));
export const isoOf = (ms: number) => new Date(ms).toISOString();
