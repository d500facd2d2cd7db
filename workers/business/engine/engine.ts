import type { Business } from "../../../schema/contracts/businesses";
import type { Rule } from "../../../schema/contracts/rules";
import type { NewEvent } from "../events";
import { scheduleAt, scheduleAtMost, scheduleMany, unschedule } from "../schedule";
import type { AlertRecord, AlertStore } from "./alerts";
import { HISTORICAL_MS } from "./alerts";
import type { DetectorState } from "./anomaly";
import { closeEpisode, loadDetectorState, observe } from "./anomaly";
import type { Period } from "./calendar";
import { clock, localDate, periodOf } from "./calendar";
import type { CompiledRule, Tolerance, Window } from "./compile";
import { compileRule, stateFingerprint } from "./compile";
import { compare } from "./expressions";
import type { PendingDetails } from "./firing";
import { FiringStore, JOB_KEEP, JOB_PENDING } from "./firing";
import { aggregateText, formatNumber, humanDuration, mentionedValues, prefix } from "./summary";

/** One bucket of an aggregate: count, sum, min and max of what fell into it. */
interface Acc {
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
}

const stateKey = (ruleId: string, groupKey: string) => `${ruleId}\n${groupKey}`;
const splitKey = (key: string): [string, string] => {
  const i = key.indexOf("\n");
  return [key.slice(0, i), key.slice(i + 1)];
};

/** Jobs the engine puts on the business's schedule. */
export const JOB_ABSENCE = "absence";
export const JOB_WINDOW = "window";
/** The group key of an absence rule's one "no data from any source" alert. */
export const ALL_KEYS = "*";
/** A pause in ingest at least this long is remembered as a gap (see docs/rules.md, outages). */
export const GAP_MS = 60_000;
const MINUTE = 60_000;
/** Gaps older than this are forgotten (no absence window is longer). */
const GAP_MEMORY_MS = 30 * 86_400_000;

/** Every job of the engine's, keyed by `ruleId\ngroupKey`. */
export const ENGINE_JOBS = [JOB_ABSENCE, JOB_WINDOW, JOB_PENDING, JOB_KEEP];

/**
 * Evaluates a business's rules on events and on time. Live state (last seen per
 * key, aggregate buckets, tolerance windows) is cached in memory while the
 * object lives and written back by `flush`, inside the caller's transaction.
 */
export class RuleEngine {
  readonly rules: CompiledRule[] = [];
  private readonly byId = new Map<string, CompiledRule>();
  private readonly lastSeen = new Map<string, number>();
  private readonly touchedLastSeen = new Set<string>();
  private readonly buckets = new Map<string, Map<number, Acc>>();
  private readonly touchedBuckets = new Set<string>();
  private readonly tolerance = new Map<string, string>();
  private readonly touchedTolerance = new Set<string>();
  private readonly detectors = new Map<string, DetectorState>();
  private readonly touchedDetectors = new Set<string>();
  /** Rules whose history is still replaying, and whether the engine runs a replay right now. */
  private readonly paused = new Set<string>();
  private replayingMuted = false;
  /** Windows to look at again when time passes, by state key: the earliest due wins. */
  private readonly windowChecks = new Map<string, number>();
  /** Pending and keep-firing state per (rule, group). */
  readonly firing: FiringStore;
  /** Absence keys resolved by hand or forgotten: silent until they report again. */
  private readonly muted = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    readonly business: Business,
    rules: Rule[],
    readonly alerts: AlertStore,
  ) {
    this.firing = new FiringStore(sql);
    this.loadMuted();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      try {
        const compiled = compileRule(rule, business);
        this.rules.push(compiled);
        this.byId.set(rule.id, compiled);
      } catch (error) {
        // A rule the current fields no longer support is skipped, not fatal (the API prevents this).
        console.warn(`business ${business.id}: rule ${rule.id} skipped`, error);
      }
    }
  }

  private loadMuted(): void {
    this.muted.clear();
    for (const r of this.sql.exec<{ rule_id: string; group_key: string }>(
      `select rule_id, group_key from absence_muted`,
    ))
      this.muted.add(stateKey(r.rule_id, r.group_key));
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

  // ---------------------------------------------------------------- events

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
        const group = r.groupKey(event.data);
        switch (r.kind) {
          case "immediate":
            this.immediate(r, group, event, now);
            break;
          case "absence":
            this.seen(r, group, event, now);
            break;
          case "aggregate":
            this.aggregate(r, group, event, now);
            break;
          case "anomaly":
            this.anomaly(r, group, event, now);
            break;
        }
      }
    }
    this.replayingMuted = false;
    return evaluations;
  }

  /** Rules left out of live processing while their history replays. */
  pause(ruleIds: Iterable<string>): void {
    for (const id of ruleIds) this.paused.add(id);
  }

  /**
   * A replay is over: the rules take live events again. An anomaly episode the
   * history ended in is closed quietly (the next unusual live point opens the
   * alert), and absence deadlines are planned from the replayed last events.
   */
  resume(ruleIds: Iterable<string>, now: number): void {
    for (const id of ruleIds) {
      this.paused.delete(id);
      const r = this.byId.get(id);
      if (r?.kind === "absence") this.planAbsence(r, now);
      if (r?.kind !== "anomaly") continue;
      for (const [key, state] of this.detectors) {
        if (splitKey(key)[0] === id && closeEpisode(state)) this.touchedDetectors.add(key);
      }
      for (const row of this.sql.exec<{ group_key: string; state: string }>(
        `select group_key, state from anomaly where rule_id = ?`,
        id,
      )) {
        const key = stateKey(id, row.group_key);
        if (this.detectors.has(key)) continue;
        const state = loadDetectorState(row.state);
        if (closeEpisode(state)) {
          this.detectors.set(key, state);
          this.touchedDetectors.add(key);
        }
      }
    }
  }

  private immediate(
    r: CompiledRule & { kind: "immediate" },
    group: string,
    event: NewEvent,
    now: number,
  ) {
    const matched = r.condition(event.data);
    if (!r.tolerance) {
      if (matched) {
        const values = mentionedValues(
          r.rule.kind === "immediate" ? r.rule.condition : "",
          event.data,
        );
        this.fire(
          r,
          group,
          now,
          event.time,
          `${this.condition(r)}${values ? ` (${values})` : ""}`,
          { event: event.data },
        );
      } else {
        this.clear(r, group, now, "the next event no longer matched");
      }
      return;
    }
    const { holds, text, numbers } = this.tolerate(r, r.tolerance, group, matched, event.time);
    if (holds) this.fire(r, group, now, event.time, text, { event: event.data, ...numbers });
    else this.clear(r, group, now, "the events are back within tolerance");
  }

  private condition(r: CompiledRule): string {
    return r.rule.kind === "immediate" ? r.rule.condition : r.rule.name;
  }

  /** k of the last n, or the matching share over a sliding window. */
  private tolerate(
    r: CompiledRule,
    t: Tolerance,
    group: string,
    matched: boolean,
    time: number,
  ): { holds: boolean; text: string; numbers: Record<string, number> } {
    const key = stateKey(r.rule.id, group);
    if (t.kind === "count") {
      const bits = (this.toleranceState(key) + (matched ? "1" : "0")).slice(-t.ofLast);
      this.tolerance.set(key, bits);
      this.touchedTolerance.add(key);
      const hits = bits.split("1").length - 1;
      return {
        holds: hits >= t.atLeast,
        text: `${hits} of the last ${bits.length} events matched ${this.condition(r)}`,
        numbers: { matched: hits, of: bits.length },
      };
    }
    this.addToBucket(key, t.window, time, matched ? 1 : 0);
    const acc = this.windowValue(key, t.window, time);
    const rate = acc.n ? acc.sum / acc.n : 0;
    const holds = acc.n >= t.minEvents && rate > t.rateAbove;
    if (holds) this.checkLater(key, t.window, time);
    return {
      holds,
      text: `${Math.round(rate * 100)}% of ${acc.n} events in ${humanDuration(t.window.ms)} matched ${this.condition(r)} (over ${Math.round(t.rateAbove * 100)}%)`,
      numbers: { rate, events: acc.n },
    };
  }

  private seen(r: CompiledRule & { kind: "absence" }, group: string, event: NewEvent, now: number) {
    const key = stateKey(r.rule.id, group);
    const last = this.lastSeenOf(key);
    if (last === undefined || event.time > last) {
      this.lastSeen.set(key, event.time);
      this.touchedLastSeen.add(key);
    }
    if (this.muted.size && this.muted.delete(key)) {
      this.sql.exec(
        `delete from absence_muted where rule_id = ? and group_key = ?`,
        r.rule.id,
        group,
      );
    }
    this.clear(r, group, now, "an event arrived");
  }

  private aggregate(
    r: CompiledRule & { kind: "aggregate" },
    group: string,
    event: NewEvent,
    now: number,
  ) {
    const a = r.aggregate;
    let value = 1;
    if (a.field) {
      const v = event.data[a.field];
      if (typeof v !== "number") return;
      value = v;
    }
    const key = stateKey(r.rule.id, group);
    this.addToBucket(key, r.window, event.time, value);
    this.judgeAggregate(r, group, event.time, now, { event: event.data });
  }

  private anomaly(
    r: CompiledRule & { kind: "anomaly" },
    group: string,
    event: NewEvent,
    now: number,
  ) {
    const value = event.data[r.field];
    if (typeof value !== "number") return;
    const key = stateKey(r.rule.id, group);
    const state = this.detectorOf(key);
    const v = observe(state, value, event.time, this.business.timezone, r.settings);
    this.touchedDetectors.add(key);
    // One episode is one alert: it opens with the episode, and later unusual
    // points of the same episode only add to it (an alert resolved by hand
    // stays resolved until the episode is over).
    if (v.opened || (v.anomalous && this.alerts.activeFor(r.rule.id, group))) {
      const what =
        v.kind === "spike"
          ? `${r.field} = ${formatNumber(value)} is unusual`
          : v.kind === "flat"
            ? `${r.field} has stopped changing (${formatNumber(value)})`
            : `${r.field} has shifted ${v.z > 0 ? "up" : "down"} (${formatNumber(value)})`;
      const text = `${what}: expected ${formatNumber(v.expected)}, normally ${formatNumber(v.low)} to ${formatNumber(v.high)}`;
      this.fire(r, group, now, event.time, text, {
        event: event.data,
        value,
        expected: v.expected,
        low: v.low,
        high: v.high,
        z: v.z,
        anomaly: v.kind,
      });
    } else if (v.recovered) {
      this.clear(r, group, now, `${r.field} is back to normal (${formatNumber(value)})`);
    }
  }

  private detectorOf(key: string): DetectorState {
    let state = this.detectors.get(key);
    if (!state) {
      const [ruleId, group] = splitKey(key);
      const row = this.sql
        .exec<{ state: string }>(
          `select state from anomaly where rule_id = ? and group_key = ?`,
          ruleId,
          group,
        )
        .toArray()[0];
      state = loadDetectorState(row?.state);
      this.detectors.set(key, state);
    }
    return state;
  }

  /** Compares the window holding `time` with the threshold; opens or resolves accordingly. */
  private judgeAggregate(
    r: CompiledRule & { kind: "aggregate" },
    group: string,
    time: number,
    now: number,
    context: Record<string, unknown>,
  ) {
    const key = stateKey(r.rule.id, group);
    const acc = this.windowValue(key, r.window, time);
    const value = this.valueOf(r, acc);
    if (value !== null && compare(value, r.aggregate.op, r.aggregate.threshold)) {
      const span = this.describeWindow(r.window, time, now);
      const text = `${aggregateText(r.aggregate)} ${span} is ${formatNumber(value)} (${r.aggregate.op} ${formatNumber(r.aggregate.threshold)})`;
      this.fire(r, group, now, time, text, { ...context, value, window: span, events: acc.n });
      this.checkLater(key, r.window, time);
    } else {
      const back = value === null ? "nothing" : formatNumber(value);
      this.clear(
        r,
        group,
        now,
        () =>
          `${aggregateText(r.aggregate)} ${this.describeWindow(r.window, time, now)} is back to ${back}`,
      );
    }
  }

  private valueOf(r: CompiledRule & { kind: "aggregate" }, acc: Acc): number | null {
    switch (r.aggregate.fn) {
      case "count":
        return acc.n;
      case "sum":
        return acc.sum;
      case "avg":
        return acc.n ? acc.sum / acc.n : null;
      case "min":
        return acc.min;
      case "max":
        return acc.max;
    }
  }

  private describeWindow(w: Window, time: number, now: number): string {
    if (w.kind === "sliding") return `over ${humanDuration(w.ms)}`;
    const tz = this.business.timezone;
    const current = periodOf(now, w.period, tz);
    if (time >= current.start && time < current.end)
      return w.period === "day" ? "today" : `this ${w.period}`;
    const start = periodOf(time, w.period, tz).start;
    return `${w.period === "day" ? "on" : `in the ${w.period} of`} ${localDate(start, tz)}`;
  }

  // ---------------------------------------------------------------- alerts

  /**
   * The condition holds: continues the active alert (ending a keep-firing
   * period), or opens one, or, with `for`, starts (or goes on) pending.
   */
  private fire(
    r: CompiledRule,
    group: string,
    now: number,
    eventTime: number,
    text: string,
    context: Record<string, unknown>,
  ) {
    if (this.replayingMuted) return;
    const id = r.rule.id;
    const label = group === ALL_KEYS ? "All keys" : group;
    const details: PendingDetails = {
      summary: `${prefix(label)}${text}`,
      eventTime,
      context,
      // Backfill notifies nobody; an absence deadline is not an event, and a late alarm is still news.
      historical: r.kind !== "absence" && now - eventTime > HISTORICAL_MS,
    };
    const row = this.firing.get(id, group);
    if (this.alerts.activeFor(id, group)) {
      if (row?.phase === "keeping") {
        this.firing.delete(id, group);
        unschedule(this.sql, JOB_KEEP, stateKey(id, group));
      }
    } else if (r.forMs > 0) {
      const since = row?.phase === "pending" ? row.since : now;
      if (now < since + r.forMs) {
        this.firing.set({ ruleId: id, groupKey: group, phase: "pending", since, details });
        if (!row) scheduleAt(this.sql, JOB_PENDING, stateKey(id, group), since + r.forMs);
        return;
      }
      this.firing.delete(id, group);
      unschedule(this.sql, JOB_PENDING, stateKey(id, group));
    }
    this.alerts.trigger(id, group, now, { severity: r.rule.severity, ...details });
  }

  /**
   * The condition no longer holds: a pending alert never opens; an active one
   * resolves, after `keepFiringFor` if the rule keeps firing. The reason is only
   * worded when it is needed.
   */
  private clear(r: CompiledRule, group: string, now: number, why: string | (() => string)) {
    if (this.replayingMuted) return;
    const id = r.rule.id;
    const row = this.firing.get(id, group);
    if (row?.phase === "pending") {
      this.firing.delete(id, group);
      unschedule(this.sql, JOB_PENDING, stateKey(id, group));
      return;
    }
    const open = this.alerts.activeFor(id, group);
    if (!open || row?.phase === "keeping") return;
    const reason = typeof why === "string" ? why : why();
    if (r.keepMs > 0) {
      this.firing.set({
        ruleId: id,
        groupKey: group,
        phase: "keeping",
        since: now,
        details: { why: reason },
      });
      scheduleAt(this.sql, JOB_KEEP, stateKey(id, group), now + r.keepMs);
      return;
    }
    this.alerts.resolve(open, now, reason);
  }

  /** A pending alert whose `for` has passed opens; one the condition left is gone already. */
  private openPending(r: CompiledRule, group: string, now: number) {
    const row = this.firing.get(r.rule.id, group);
    if (row?.phase !== "pending") return;
    // The job runs when `for` has passed (rule edits re-plan it): trusted, so tests can move time.
    this.firing.delete(r.rule.id, group);
    const details = row.details as PendingDetails;
    this.alerts.trigger(r.rule.id, group, now, { severity: r.rule.severity, ...details });
  }

  /** An alert whose condition stayed clear for `keepFiringFor` resolves. */
  private endKeeping(r: CompiledRule, group: string, now: number) {
    const row = this.firing.get(r.rule.id, group);
    if (row?.phase !== "keeping") return;
    this.firing.delete(r.rule.id, group);
    const open = this.alerts.activeFor(r.rule.id, group);
    if (open) this.alerts.resolve(open, now, (row.details as { why: string }).why);
  }

  /** Resolution by hand: no keep-firing; an absence key stays quiet until it reports again. */
  resolveByHand(alert: AlertRecord, now: number): void {
    this.alerts.resolve(alert, now, "resolved by hand");
    this.dropFiring(alert.ruleId, alert.groupKey);
    if (this.byId.get(alert.ruleId)?.kind === "absence") this.mute(alert.ruleId, alert.groupKey);
  }

  /**
   * "Forget this key": resolves the alert and drops the key's live state; an
   * absence rule stops expecting it until it reports again.
   */
  forgetKey(alert: AlertRecord, now: number): void {
    const active = this.alerts.activeFor(alert.ruleId, alert.groupKey);
    if (active) this.alerts.resolve(active, now, "the key was forgotten");
    this.dropKey(alert.ruleId, alert.groupKey);
    if (this.byId.get(alert.ruleId)?.kind === "absence") this.mute(alert.ruleId, alert.groupKey);
  }

  private mute(ruleId: string, group: string) {
    this.muted.add(stateKey(ruleId, group));
    this.sql.exec(
      `insert into absence_muted (rule_id, group_key) values (?, ?) on conflict do nothing`,
      ruleId,
      group,
    );
    unschedule(this.sql, JOB_ABSENCE, stateKey(ruleId, group));
  }

  private dropFiring(ruleId: string, group: string) {
    this.firing.delete(ruleId, group);
    unschedule(this.sql, JOB_PENDING, stateKey(ruleId, group));
    unschedule(this.sql, JOB_KEEP, stateKey(ruleId, group));
  }

  /** Every piece of live state of one (rule, group), as if it had never reported. */
  private dropKey(ruleId: string, group: string) {
    const key = stateKey(ruleId, group);
    this.dropFiring(ruleId, group);
    for (const table of ["last_seen", "agg", "tolerance", "anomaly", "absence_muted"]) {
      this.sql.exec(`delete from ${table} where rule_id = ? and group_key = ?`, ruleId, group);
    }
    for (const kind of ENGINE_JOBS) unschedule(this.sql, kind, key);
    for (const cache of [this.lastSeen, this.buckets, this.tolerance, this.detectors])
      cache.delete(key);
    this.touchedLastSeen.delete(key);
    this.touchedTolerance.delete(key);
    this.touchedDetectors.delete(key);
    for (const touched of this.touchedBuckets)
      if (touched.startsWith(`${key}\n`)) this.touchedBuckets.delete(touched);
    this.windowChecks.delete(key);
    this.muted.delete(key);
  }

  // ---------------------------------------------------------------- windows

  private bucketOf(w: Window, time: number): number {
    return w.kind === "sliding"
      ? time - (time % w.bucketMs)
      : periodOf(time, w.period, this.business.timezone).start;
  }

  private bucketsOf(key: string): Map<number, Acc> {
    let map = this.buckets.get(key);
    if (!map) {
      const [ruleId, group] = splitKey(key);
      map = new Map();
      for (const row of this.sql.exec<{
        bucket: number;
        n: number;
        sum: number;
        min: number | null;
        max: number | null;
      }>(
        `select bucket, n, sum, min, max from agg where rule_id = ? and group_key = ?`,
        ruleId,
        group,
      )) {
        map.set(row.bucket, { n: row.n, sum: row.sum, min: row.min, max: row.max });
      }
      this.buckets.set(key, map);
    }
    return map;
  }

  private addToBucket(key: string, w: Window, time: number, value: number) {
    const map = this.bucketsOf(key);
    const bucket = this.bucketOf(w, time);
    const acc = map.get(bucket) ?? { n: 0, sum: 0, min: null, max: null };
    acc.n += 1;
    acc.sum += value;
    acc.min = acc.min === null ? value : Math.min(acc.min, value);
    acc.max = acc.max === null ? value : Math.max(acc.max, value);
    map.set(bucket, acc);
    this.touchedBuckets.add(`${key}\n${bucket}`);
    // Keep memory bounded: buckets that left every window this rule can look at go.
    if (w.kind === "sliding" && map.size > 2 * (Math.ceil(w.ms / w.bucketMs) + 1)) {
      const oldest = time - 2 * w.ms;
      for (const b of map.keys()) if (b < oldest) map.delete(b);
    }
  }

  /** The sum of the buckets in the window that holds `time`. */
  private windowValue(key: string, w: Window, time: number): Acc {
    const map = this.bucketsOf(key);
    if (w.kind === "calendar") {
      return map.get(this.bucketOf(w, time)) ?? { n: 0, sum: 0, min: null, max: null };
    }
    const from = time - w.ms;
    const total: Acc = { n: 0, sum: 0, min: null, max: null };
    for (const [bucket, acc] of map) {
      if (bucket + w.bucketMs <= from || bucket > time) continue;
      total.n += acc.n;
      total.sum += acc.sum;
      if (acc.min !== null) total.min = total.min === null ? acc.min : Math.min(total.min, acc.min);
      if (acc.max !== null) total.max = total.max === null ? acc.max : Math.max(total.max, acc.max);
    }
    return total;
  }

  /** When an alert on a window is open, look again when the window moves on. */
  private checkLater(key: string, w: Window, time: number) {
    let due: number;
    if (w.kind === "calendar") {
      due = periodOf(time, w.period, this.business.timezone).end;
    } else {
      const map = this.bucketsOf(key);
      let oldest = Number.POSITIVE_INFINITY;
      for (const b of map.keys()) if (b + w.bucketMs > time - w.ms && b < oldest) oldest = b;
      due = (Number.isFinite(oldest) ? oldest : time) + w.bucketMs + w.ms;
    }
    const current = this.windowChecks.get(key);
    if (current === undefined || due < current) this.windowChecks.set(key, due);
  }

  // ---------------------------------------------------------------- time

  /** Runs a due job of the engine's; returns false when the job is not the engine's. */
  runTimer(kind: string, key: string, now: number): void {
    const [ruleId, group] = splitKey(key);
    const r = this.byId.get(ruleId);
    unschedule(this.sql, kind, key);
    if (!r) return;
    if (kind === JOB_ABSENCE && r.kind === "absence") this.checkAbsence(r, group, now);
    if (kind === JOB_WINDOW) this.checkWindow(r, group, now);
    if (kind === JOB_PENDING) this.openPending(r, group, now);
    if (kind === JOB_KEEP) this.endKeeping(r, group, now);
  }

  private checkAbsence(r: CompiledRule & { kind: "absence" }, group: string, now: number) {
    const key = stateKey(r.rule.id, group);
    if (this.muted.has(key)) return;
    const last = this.lastSeenOf(key);
    // A key that never reported counts only while the rule expects it (it may have been retired).
    if (last === undefined && !r.expect.includes(group)) return;
    // Time counts from the key's last event, but never from before ingest resumed after
    // a gap at least one window long: an outage of ours or of the source is not the key's silence.
    const since = Math.max(last ?? this.since(r.rule.id), this.resumedAfter(r.windowMs));
    const deadline = r.active.deadline(since, r.windowMs);
    if (!Number.isFinite(deadline)) return;
    if (deadline > now) {
      scheduleAt(this.sql, JOB_ABSENCE, key, deadline);
      return;
    }
    if (this.alerts.activeFor(r.rule.id, group)) return;
    const tz = this.business.timezone;
    if (r.rule.groupBy && this.dark(now, r.windowMs)) {
      // Nothing from any key for a whole window: one alert for the rule, none per key.
      // The key's timer stops here; `resume` plans it again when data arrives.
      const lastIngest = this.lastIngest() ?? 0;
      this.fire(
        r,
        ALL_KEYS,
        now,
        lastIngest + r.windowMs,
        `no data from any source for ${humanDuration(Math.max(MINUTE, Math.round((now - lastIngest) / MINUTE) * MINUTE))} (last at ${clock(lastIngest, tz)}); keys are not checked one by one until data arrives`,
        { lastIngest: new Date(lastIngest).toISOString() },
      );
      return;
    }
    const text =
      last === undefined
        ? `no event for ${humanDuration(r.windowMs)} since the rule started (${clock(since, tz)})`
        : `no event for ${humanDuration(r.windowMs)} (last at ${clock(last, tz)})`;
    this.fire(r, group, now, deadline, text, {
      lastSeen: last === undefined ? null : new Date(last).toISOString(),
      deadline: new Date(deadline).toISOString(),
    });
  }

  private checkWindow(r: CompiledRule, group: string, now: number) {
    if (
      !this.alerts.activeFor(r.rule.id, group) &&
      this.firing.get(r.rule.id, group)?.phase !== "pending"
    )
      return;
    if (r.kind === "aggregate") {
      if (r.window.kind === "calendar") {
        const open = this.alerts.activeFor(r.rule.id, group);
        const period = periodOf(
          open?.eventTime ?? now,
          r.window.period as Period,
          this.business.timezone,
        );
        if (now >= period.end && open) {
          this.alerts.resolve(open, now, `the ${r.window.period} ended`);
          return;
        }
      }
      this.judgeAggregate(r, group, now, now, {});
    } else if (r.kind === "immediate" && r.tolerance?.kind === "rate") {
      const acc = this.windowValue(stateKey(r.rule.id, group), r.tolerance.window, now);
      const rate = acc.n ? acc.sum / acc.n : 0;
      if (acc.n >= r.tolerance.minEvents && rate > r.tolerance.rateAbove) {
        this.checkLater(stateKey(r.rule.id, group), r.tolerance.window, now);
      } else {
        this.clear(r, group, now, "the matching share fell back within tolerance");
      }
    }
  }

  /** When this object last received events (any source, any key). */
  private lastIngest(): number | undefined {
    const row = this.sql
      .exec<{ value: string }>(`select value from meta where key = 'last_ingest'`)
      .toArray()[0];
    return row ? Number(row.value) : undefined;
  }

  /** Whether no event at all arrived for at least `windowMs` (never, if none ever arrived). */
  private dark(now: number, windowMs: number): boolean {
    const last = this.lastIngest();
    return last !== undefined && now - last >= windowMs;
  }

  /** The end of the latest ingest gap at least `windowMs` long, or 0. */
  private resumedAfter(windowMs: number): number {
    return (
      this.sql
        .exec<{ ended: number | null }>(
          `select max(ended) as ended from ingest_gaps where length >= ?`,
          windowMs,
        )
        .one().ended ?? 0
    );
  }

  /**
   * Called on every batch, before its events count: remembers when events last
   * arrived and, after a pause of at least a minute, the gap, then resolves the
   * rules' "no data from any source" alerts and re-plans their timers from now.
   */
  noteIngest(receivedAt: number, now: number): void {
    const last = this.lastIngest();
    this.sql.exec(
      `insert into meta (key, value) values ('last_ingest', ?)
       on conflict (key) do update set value = excluded.value`,
      String(receivedAt),
    );
    const gap = last === undefined ? 0 : receivedAt - last;
    let shortest = GAP_MS;
    for (const r of this.rules) {
      if (r.kind !== "absence") continue;
      shortest = Math.min(shortest, r.windowMs);
      const dark = this.alerts.activeFor(r.rule.id, ALL_KEYS);
      if (dark) this.alerts.resolve(dark, now, "data arrives again");
      if (gap > 0 && gap >= r.windowMs) this.planAbsence(r, now);
    }
    if (gap === 0 || gap < shortest) return;
    this.sql.exec(
      `insert into ingest_gaps (ended, length) values (?, ?) on conflict do nothing`,
      receivedAt,
      gap,
    );
    this.sql.exec(`delete from ingest_gaps where ended < ?`, receivedAt - GAP_MEMORY_MS);
  }

  private since(ruleId: string): number {
    return (
      this.sql
        .exec<{ since: number }>(`select since from rule_state where rule_id = ?`, ruleId)
        .toArray()[0]?.since ?? Date.now()
    );
  }

  private lastSeenOf(key: string): number | undefined {
    if (this.lastSeen.has(key)) return this.lastSeen.get(key);
    const [ruleId, group] = splitKey(key);
    const row = this.sql
      .exec<{ time: number }>(
        `select time from last_seen where rule_id = ? and group_key = ?`,
        ruleId,
        group,
      )
      .toArray()[0];
    if (row) this.lastSeen.set(key, row.time);
    return row?.time;
  }

  private toleranceState(key: string): string {
    let bits = this.tolerance.get(key);
    if (bits === undefined) {
      const [ruleId, group] = splitKey(key);
      bits =
        this.sql
          .exec<{ state: string }>(
            `select state from tolerance where rule_id = ? and group_key = ?`,
            ruleId,
            group,
          )
          .toArray()[0]?.state ?? "";
      this.tolerance.set(key, bits);
    }
    return bits;
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Writes the state this batch changed and schedules the timers it implies:
   * one statement per table (rows passed as one JSON parameter), however many keys.
   */
  flush(): void {
    if (this.touchedLastSeen.size) {
      const seen: [string, string, number][] = [];
      const timers: [string, string, number][] = [];
      for (const key of this.touchedLastSeen) {
        const [ruleId, group] = splitKey(key);
        const time = this.lastSeen.get(key) ?? 0;
        seen.push([ruleId, group, time]);
        const r = this.byId.get(ruleId);
        // The real deadline counts only active time; it is never earlier than this.
        if (r?.kind === "absence") timers.push([JOB_ABSENCE, key, time + r.windowMs]);
      }
      this.sql.exec(
        `insert into last_seen (rule_id, group_key, time)
         select value ->> 0, value ->> 1, value ->> 2 from json_each(?) where true
         on conflict (rule_id, group_key) do update set time = max(time, excluded.time)`,
        JSON.stringify(seen),
      );
      scheduleMany(this.sql, timers);
      this.touchedLastSeen.clear();
    }
    if (this.touchedBuckets.size) {
      const rows: [string, string, number, number, number, number | null, number | null][] = [];
      for (const touched of this.touchedBuckets) {
        const [ruleId, rest] = splitKey(touched);
        const [group, bucketText] = splitKey(rest);
        const bucket = Number(bucketText);
        const acc = this.buckets.get(stateKey(ruleId, group))?.get(bucket);
        if (acc) rows.push([ruleId, group, bucket, acc.n, acc.sum, acc.min, acc.max]);
      }
      this.sql.exec(
        `insert into agg (rule_id, group_key, bucket, n, sum, min, max)
         select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
         from json_each(?) where true
         on conflict (rule_id, group_key, bucket) do update
           set n = excluded.n, sum = excluded.sum, min = excluded.min, max = excluded.max`,
        JSON.stringify(rows),
      );
      this.touchedBuckets.clear();
    }
    if (this.touchedTolerance.size) {
      const rows = [...this.touchedTolerance].map((key) => [
        ...splitKey(key),
        this.tolerance.get(key) ?? "",
      ]);
      this.sql.exec(
        `insert into tolerance (rule_id, group_key, state)
         select value ->> 0, value ->> 1, value ->> 2 from json_each(?) where true
         on conflict (rule_id, group_key) do update set state = excluded.state`,
        JSON.stringify(rows),
      );
      this.touchedTolerance.clear();
    }
    if (this.touchedDetectors.size) {
      const rows = [...this.touchedDetectors].map((key) => [
        ...splitKey(key),
        JSON.stringify(this.detectors.get(key)),
      ]);
      this.sql.exec(
        `insert into anomaly (rule_id, group_key, state)
         select value ->> 0, value ->> 1, value ->> 2 from json_each(?) where true
         on conflict (rule_id, group_key) do update set state = excluded.state`,
        JSON.stringify(rows),
      );
      this.touchedDetectors.clear();
    }
    for (const [key, due] of this.windowChecks) scheduleAtMost(this.sql, JOB_WINDOW, key, due);
    this.windowChecks.clear();
    this.alerts.flush();
  }

  /** Forgets cached state after a failed transaction; it is read again from storage. */
  reset(): void {
    this.lastSeen.clear();
    this.touchedLastSeen.clear();
    this.buckets.clear();
    this.touchedBuckets.clear();
    this.tolerance.clear();
    this.touchedTolerance.clear();
    this.detectors.clear();
    this.touchedDetectors.clear();
    this.windowChecks.clear();
    this.alerts.reload();
    this.firing.reload();
    this.loadMuted();
  }

  // ---------------------------------------------------------------- rule changes

  /**
   * Brings stored state in line with the current rules: a deleted or disabled
   * rule loses its state and its alerts are resolved; an edit that changed what
   * the state means starts the rule afresh; other edits keep timers and
   * aggregates (absence timers are re-planned for a new window). New absence
   * rules with `expect` start timers for the expected keys. Returns the rules
   * that start afresh (new or changed): they learn from the history next.
   */
  reconcile(allRules: Rule[], now: number): string[] {
    const fresh: string[] = [];
    const rows = this.sql
      .exec<{ rule_id: string; fingerprint: string; expect: string | null }>(
        `select rule_id, fingerprint, expect from rule_state`,
      )
      .toArray();
    const stored = new Map(rows.map((r) => [r.rule_id, r.fingerprint]));
    const expected = new Map(rows.map((r) => [r.rule_id, r.expect]));
    const all = new Map(allRules.map((r) => [r.id, r]));
    for (const [ruleId] of stored) {
      const rule = all.get(ruleId);
      if (!rule || !this.byId.has(ruleId)) {
        this.forget(ruleId, now, rule ? "the rule was disabled" : "the rule was deleted");
      }
    }
    for (const r of this.rules) {
      const fingerprint = stateFingerprint(r.rule);
      const previous = stored.get(r.rule.id);
      if (previous !== undefined && previous !== fingerprint)
        this.forget(r.rule.id, now, "the rule was changed");
      if (previous !== fingerprint) {
        fresh.push(r.rule.id);
        this.sql.exec(
          `insert into rule_state (rule_id, fingerprint, since) values (?, ?, ?)
           on conflict (rule_id) do update set fingerprint = excluded.fingerprint, since = excluded.since`,
          r.rule.id,
          fingerprint,
          now,
        );
      }
      if (r.kind === "absence") {
        const was = previous === fingerprint ? expected.get(r.rule.id) : null;
        this.retireUnexpected(r, was ?? null, now);
        this.planAbsence(r, now);
      }
      this.replanFiring(r);
    }
    return fresh;
  }

  /** Keys taken out of `expect` are retired: their alert resolves and they are not watched until they report again. */
  private retireUnexpected(r: CompiledRule & { kind: "absence" }, was: string | null, now: number) {
    const next = JSON.stringify(r.expect);
    if (was === next) return;
    const before: string[] = was ? JSON.parse(was) : [];
    for (const group of before) {
      if (r.expect.includes(group)) continue;
      const open = this.alerts.activeFor(r.rule.id, group);
      if (open) this.alerts.resolve(open, now, "the key is no longer expected");
      this.dropKey(r.rule.id, group);
    }
    this.sql.exec(`update rule_state set expect = ? where rule_id = ?`, next, r.rule.id);
  }

  /** Pending and keep-firing periods follow the rule's current `for` and `keepFiringFor`. */
  private replanFiring(r: CompiledRule) {
    for (const row of this.firing.ofRule(r.rule.id)) {
      const key = stateKey(row.ruleId, row.groupKey);
      if (row.phase === "pending") scheduleAt(this.sql, JOB_PENDING, key, row.since + r.forMs);
      else scheduleAt(this.sql, JOB_KEEP, key, row.since + r.keepMs);
    }
  }

  /** (Re)schedules every timer of an absence rule: known keys from their last event, expected ones from the start. */
  private planAbsence(r: CompiledRule & { kind: "absence" }, now: number) {
    const known = new Set<string>();
    for (const row of this.sql.exec<{ group_key: string; time: number }>(
      `select group_key, time from last_seen where rule_id = ?`,
      r.rule.id,
    )) {
      known.add(row.group_key);
      if (
        !this.alerts.activeFor(r.rule.id, row.group_key) &&
        !this.muted.has(stateKey(r.rule.id, row.group_key))
      ) {
        scheduleAt(
          this.sql,
          JOB_ABSENCE,
          stateKey(r.rule.id, row.group_key),
          row.time + r.windowMs,
        );
      }
    }
    const since = this.since(r.rule.id);
    for (const group of r.expect) {
      if (
        known.has(group) ||
        this.alerts.activeFor(r.rule.id, group) ||
        this.muted.has(stateKey(r.rule.id, group))
      )
        continue;
      scheduleAt(
        this.sql,
        JOB_ABSENCE,
        stateKey(r.rule.id, group),
        Math.max(since + r.windowMs, now),
      );
    }
  }

  private forget(ruleId: string, now: number, why: string) {
    for (const alert of this.alerts.activeOfRule(ruleId)) this.alerts.resolve(alert, now, why);
    for (const table of [
      "last_seen",
      "agg",
      "tolerance",
      "anomaly",
      "rule_state",
      "absence_muted",
    ]) {
      this.sql.exec(`delete from ${table} where rule_id = ?`, ruleId);
    }
    this.firing.deleteRule(ruleId);
    this.sql.exec(
      `delete from schedule where kind in (select value from json_each(?)) and key >= ? and key < ?`,
      JSON.stringify(ENGINE_JOBS),
      `${ruleId}\n`,
      `${ruleId}\u000b`,
    );
    for (const cache of [this.lastSeen, this.buckets, this.tolerance, this.detectors]) {
      for (const key of cache.keys()) if (key.startsWith(`${ruleId}\n`)) cache.delete(key);
    }
    for (const key of this.muted) if (key.startsWith(`${ruleId}\n`)) this.muted.delete(key);
  }
}
