import type { Business } from "../../../schema/contracts/businesses";
import type { RuleKind } from "../../../schema/contracts/rules";
import type { NewEvent } from "../events";
import type { AlertRecord } from "./alert-record";
import type { AlertStore } from "./alerts";
import type { CompiledRule, Window } from "./compile";
import type { EndedWindow, FireArgs } from "./fire";
import type { FiringStore } from "./firing";
import type { Acc, RuleState } from "./state";

/** What the engine lends its evaluators. */
export interface EngineCore {
  readonly sql: SqlStorage;
  readonly business: Business;
  readonly alerts: AlertStore;
  readonly firing: FiringStore;
  readonly state: RuleState;
  /** Absence keys resolved by hand or forgotten: silent until they report again. */
  readonly muted: Set<string>;
  /** The condition holds: continue, open, or (with `for`) go on pending. */
  fire(...args: FireArgs): void;
  /** The condition no longer holds: resolve (after `keepFiringFor`), or drop the pending alert. */
  clear(r: CompiledRule, group: string, now: number, why: string | (() => string)): void;
  /** A window that is over held the condition: its alert opens and resolves at once (fire.ts). */
  fireEnded(r: CompiledRule, group: string, now: number, ended: EndedWindow): void;
  /** Resolves an alert at once, no keep-firing, and drops its pending or keeping state. */
  endAlert(alert: AlertRecord, now: number, why: string): void;
  addToWindow(key: string, w: Window, time: number, value: number): void;
  windowValue(key: string, w: Window, time: number): Acc;
  /** With an alert open on a window, look again when the window moves on. */
  checkLater(key: string, w: Window, time: number): void;
  /** When the rule started afresh. */
  since(ruleId: string): number;
  /** When this object last received events (any source, any key). */
  lastIngest(): number | undefined;
  /** The end of the latest ingest gap at least `windowMs` long, or 0. */
  resumedAfter(windowMs: number): number;
}

/** How one kind of rule reacts to events and to time. */
export interface Evaluator<R extends CompiledRule = CompiledRule> {
  onEvent(e: EngineCore, r: R, group: string, event: NewEvent, now: number): void;
  /** The rule's timer for a group came due (absence deadline, or a window moving on). */
  onTimer(e: EngineCore, r: R, group: string, now: number): void;
  /** Plans the rule's timers, after a load or a change, or when ingest resumes after an outage. */
  plan(e: EngineCore, r: R, now: number): void;
  /** The rule's history finished replaying and it takes live events again (default: `plan`). */
  resume?(e: EngineCore, r: R, now: number): void;
}

export type Evaluators = { [K in RuleKind]: Evaluator<CompiledRule & { kind: K }> };
