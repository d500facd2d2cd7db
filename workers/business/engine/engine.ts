import type { Business } from "../../../schema/contracts/businesses";
import type { Rule } from "../../../schema/contracts/rules";
import type { NewEvent } from "../events";
import { scheduleAtMost, scheduleMany, unschedule } from "../schedule";
import type { AlertRecord } from "./alert-record";
import type { AlertStore } from "./alerts";
import type { CompiledRule, Window } from "./compile";
import { compileEnabled } from "./compile";
import type { EngineCore, Evaluator } from "./core";
import { evaluators } from "./evaluators";
import type { EndedWindow } from "./fire";
import { ALL_KEYS, clear, endKeeping, type FireArgs, fire, fireEnded, openPending } from "./fire";
import { FiringStore, JOB_KEEP, JOB_PENDING } from "./firing";
import { splitKey, stateKey } from "./keyed-store";
import { loadMuted, muteKey } from "./muted";
import { GAP_MS, lastIngest, recordArrival, recordGap, resumedAfter } from "./outage";
import type { Acc, RuleState } from "./state";
import { STATE_TABLES, sqliteState } from "./state";
import { ENGINE_JOBS, JOB_ABSENCE, JOB_WINDOW } from "./timers";
import { addToBuckets, nextChange, windowValue } from "./windows";

const evaluatorOf = (r: CompiledRule) => evaluators[r.kind] as Evaluator;

/**
 * Evaluates a business's rules on events and on time by dispatching to the
 * evaluator of each rule's kind (`evaluators/`). Live state (`state.ts`) is
 * cached in memory while the object lives and written back by `flush`, inside
 * the caller's transaction.
 */
export class RuleEngine implements EngineCore {
  readonly rules: CompiledRule[];
  private readonly byId: Map<string, CompiledRule>;
  readonly state: RuleState;
  private readonly paused = new Set<string>(); // rules whose history still replays
  private replayingMuted = false;
  /** Windows to look at again when time passes, by state key: the earliest due wins. */
  private readonly windowChecks = new Map<string, number>();
  readonly firing: FiringStore; // pending and keep-firing state per (rule, group)
  readonly muted = new Set<string>();
  /** When events last arrived, as stored: undefined until read, null when never. */
  private lastArrival: number | null | undefined;

  constructor(
    readonly sql: SqlStorage,
    readonly business: Business,
    rules: Rule[],
    readonly alerts: AlertStore,
  ) {
    this.firing = new FiringStore(sql);
    this.state = sqliteState(sql);
    loadMuted(this.sql, this.muted);
    this.rules = compileEnabled(rules, business);
    this.byId = new Map(this.rules.map((r) => [r.rule.id, r]));
  }

  rule(ruleId: string): CompiledRule | undefined {
    return this.byId.get(ruleId);
  }

  /** The rules whose open alerts keep this rule's alerts from notifying. */
  inhibitorsOf(ruleId: string): string[] {
    return this.byId.get(ruleId)?.rule.inhibitedBy ?? [];
  }

  ruleKind(ruleId: string): Rule["kind"] | undefined {
    return this.byId.get(ruleId)?.rule.kind;
  }

  ruleName(ruleId: string): string {
    return this.byId.get(ruleId)?.rule.name ?? ruleId;
  }

  /** The channels a rule names, or null for all of the business's. */
  ruleChannels(ruleId: string): string[] | null {
    return this.byId.get(ruleId)?.rule.channels ?? null;
  }

  /**
   * Runs every rule over a batch of events (in the order they were sent). Rules
   * still replaying their history are left out: the replay reaches these events
   * too, in order. A replay passes `only` (its rules) and `muted` (state is
   * learnt, no alert opens or resolves).
   */
  process(
    events: NewEvent[],
    now: number,
    replay?: { only: ReadonlySet<string>; muted: boolean },
  ): number {
    let evaluations = 0;
    const rules = replay
      ? this.rules.filter((r) => replay.only.has(r.rule.id))
      : this.paused.size
        ? this.rules.filter((r) => !this.paused.has(r.rule.id))
        : this.rules;
    this.replayingMuted = replay?.muted ?? false;
    for (const event of events) {
      for (const r of rules) {
        evaluations++;
        if (r.where && !r.where(event.data)) continue;
        evaluatorOf(r).onEvent(this, r, r.groupKey(event.data), event, now);
      }
    }
    this.replayingMuted = false;
    return evaluations;
  }

  /** Rules left out of live processing while their history replays. */
  pause(ruleIds: Iterable<string>): void {
    for (const id of ruleIds) this.paused.add(id);
  }

  /** Whether a rule sits out live work while its history replays. */
  isPaused(ruleId: string): boolean {
    return this.paused.has(ruleId);
  }

  /** Runs `work` as part of a replay: state is learnt, no alert opens or resolves. */
  mutedWhile(work: () => void): void {
    this.replayingMuted = true;
    try {
      work();
    } finally {
      this.replayingMuted = false;
    }
  }

  /** A replay is over: the rules take live events again (see each evaluator's `resume`). */
  resume(ruleIds: Iterable<string>, now: number): void {
    for (const id of ruleIds) {
      this.paused.delete(id);
      const r = this.byId.get(id);
      if (!r) continue;
      const evaluator = evaluatorOf(r);
      (evaluator.resume ?? evaluator.plan)(this, r, now);
    }
  }

  fire(...args: FireArgs): void {
    if (!this.replayingMuted) fire(this, ...args);
  }

  clear(r: CompiledRule, group: string, now: number, why: string | (() => string)): void {
    if (!this.replayingMuted) clear(this, r, group, now, why);
  }

  fireEnded(r: CompiledRule, group: string, now: number, ended: EndedWindow): void {
    if (!this.replayingMuted) fireEnded(this, r, group, now, ended);
  }

  endAlert(alert: AlertRecord, now: number, why: string): void {
    if (this.replayingMuted) return;
    this.alerts.resolve(alert, now, why);
    this.dropFiring(alert.ruleId, alert.groupKey);
  }

  /** Runs a due timer of the engine's (`ENGINE_JOBS`). */
  runTimer(kind: string, key: string, now: number): void {
    const [ruleId, group] = splitKey(key);
    const r = this.byId.get(ruleId);
    unschedule(this.sql, kind, key);
    if (!r) return;
    if (kind === JOB_PENDING) openPending(this, r, group, now);
    else if (kind === JOB_KEEP) endKeeping(this, r, group, now);
    else if (kind === JOB_ABSENCE && r.kind === "absence")
      evaluators.absence.onTimer(this, r, group, now);
    else if (kind === JOB_WINDOW && r.kind !== "absence") {
      const watched =
        this.alerts.activeFor(r.rule.id, group) ||
        this.firing.get(r.rule.id, group)?.phase === "pending";
      if (watched) evaluatorOf(r).onTimer(this, r, group, now);
    }
  }

  /** Resolution by hand: no keep-firing; an absence key stays quiet until it reports again. */
  resolveByHand(alert: AlertRecord, now: number): void {
    this.alerts.resolve(alert, now, "resolved by hand");
    this.dropFiring(alert.ruleId, alert.groupKey);
    if (this.byId.get(alert.ruleId)?.kind === "absence")
      muteKey(this.sql, this.muted, alert.ruleId, alert.groupKey);
  }

  /**
   * "Forget this key": resolves the alert and drops the key's live state; an
   * absence rule stops expecting it until it reports again.
   */
  forgetKey(alert: AlertRecord, now: number): void {
    const active = this.alerts.activeFor(alert.ruleId, alert.groupKey);
    if (active) this.alerts.resolve(active, now, "the key was forgotten");
    this.dropKey(alert.ruleId, alert.groupKey);
    if (this.byId.get(alert.ruleId)?.kind === "absence")
      muteKey(this.sql, this.muted, alert.ruleId, alert.groupKey);
  }

  private dropFiring(ruleId: string, group: string) {
    this.firing.delete(ruleId, group);
    unschedule(this.sql, JOB_PENDING, stateKey(ruleId, group));
    unschedule(this.sql, JOB_KEEP, stateKey(ruleId, group));
  }

  /** Every piece of live state of one (rule, group), as if it had never reported. */
  dropKey(ruleId: string, group: string) {
    const key = stateKey(ruleId, group);
    this.dropFiring(ruleId, group);
    for (const table of [...STATE_TABLES, "absence_muted"]) {
      this.sql.exec(`delete from ${table} where rule_id = ? and group_key = ?`, ruleId, group);
    }
    for (const kind of ENGINE_JOBS) unschedule(this.sql, kind, key);
    for (const store of Object.values(this.state)) store.drop(key);
    this.windowChecks.delete(key);
    this.muted.delete(key);
  }

  /** A deleted, disabled or changed rule: its alerts resolve and all its state goes. */
  forgetRule(ruleId: string, now: number, why: string) {
    for (const alert of this.alerts.activeOfRule(ruleId)) this.alerts.resolve(alert, now, why);
    for (const table of [...STATE_TABLES, "rule_state", "absence_muted"]) {
      this.sql.exec(`delete from ${table} where rule_id = ?`, ruleId);
    }
    this.firing.deleteRule(ruleId);
    this.sql.exec(
      `delete from schedule where kind in (select value from json_each(?)) and key >= ? and key < ?`,
      JSON.stringify(ENGINE_JOBS),
      `${ruleId}\n`,
      `${ruleId}\u000b`,
    );
    for (const store of Object.values(this.state)) store.dropRule(ruleId);
    for (const key of this.muted) if (key.startsWith(`${ruleId}\n`)) this.muted.delete(key);
  }

  addToWindow(key: string, w: Window, time: number, value: number): void {
    const map = this.state.buckets.getOr(key, () => new Map());
    this.state.buckets.touch(key, addToBuckets(map, w, time, value, this.business.timezone));
  }

  windowValue(key: string, w: Window, time: number): Acc {
    const map = this.state.buckets.getOr(key, () => new Map());
    return windowValue(map, w, time, this.business.timezone);
  }

  checkLater(key: string, w: Window, time: number): void {
    const map = this.state.buckets.getOr(key, () => new Map());
    const due = nextChange(map, w, time, this.business.timezone);
    const current = this.windowChecks.get(key);
    if (current === undefined || due < current) this.windowChecks.set(key, due);
  }

  lastIngest(): number | undefined {
    this.lastArrival ??= lastIngest(this.sql) ?? null;
    return this.lastArrival ?? undefined;
  }

  resumedAfter(windowMs: number): number {
    return resumedAfter(this.sql, windowMs);
  }

  since(ruleId: string): number {
    return (
      this.sql
        .exec<{ since: number }>(`select since from rule_state where rule_id = ?`, ruleId)
        .toArray()[0]?.since ?? Date.now()
    );
  }

  /**
   * Called on every batch, before its events count: remembers when events last
   * arrived and, after a pause of at least a minute, the gap, then resolves the
   * rules' "no data from any source" alerts and re-plans their timers from now.
   */
  noteIngest(receivedAt: number, now: number): void {
    const gap = recordArrival(this.sql, receivedAt, this.lastIngest());
    this.lastArrival = receivedAt;
    let shortest = GAP_MS;
    for (const r of this.rules) {
      if (r.kind !== "absence") continue;
      shortest = Math.min(shortest, r.windowMs);
      const dark = this.alerts.activeFor(r.rule.id, ALL_KEYS);
      if (dark) this.alerts.resolve(dark, now, "data arrives again");
      if (gap > 0 && gap >= r.windowMs) evaluators.absence.plan(this, r, now);
    }
    recordGap(this.sql, receivedAt, gap, shortest);
  }

  /** Writes the state this batch changed and schedules the timers it implies. */
  flush(): void {
    const timers: [string, string, number][] = [];
    for (const key of this.state.lastSeen.flush()) {
      const r = this.byId.get(splitKey(key)[0]);
      // The real deadline counts only active time; it is never earlier than this.
      if (r?.kind === "absence")
        timers.push([JOB_ABSENCE, key, (this.state.lastSeen.get(key) ?? 0) + r.windowMs]);
    }
    scheduleMany(this.sql, timers);
    this.state.buckets.flush();
    this.state.tolerance.flush();
    this.state.detectors.flush();
    for (const [key, due] of this.windowChecks) scheduleAtMost(this.sql, JOB_WINDOW, key, due);
    this.windowChecks.clear();
    this.alerts.flush();
  }

  /** Forgets cached state after a failed transaction; it is read again from storage. */
  reset(): void {
    for (const store of Object.values(this.state)) store.reset();
    this.windowChecks.clear();
    this.lastArrival = undefined;
    this.alerts.reload();
    this.firing.reload();
    loadMuted(this.sql, this.muted);
  }
}
