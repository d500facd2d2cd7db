import type { StoredEvent } from "../../schema/contracts/events";
import type { GroupList } from "../../schema/contracts/groups";
import type { Rule, RuleStatus } from "../../schema/contracts/rules";
import { monitorOf } from "../definitions/monitor";
import { PerSecond } from "../lib/rate";
import type { History } from "../profile/history";
import { HISTORY_CAP, HISTORY_DAYS, loadHistory, mergeHistories } from "../profile/history";
import type { Profile } from "../profile/profile";
import { profile } from "../profile/profile";
import type { BacktestResult } from "./backtest";
import {
  BACKTEST_MAX_EVENTS,
  backtest,
  backtestHistory,
  backtestOver,
  mergeSent,
} from "./backtest";
import {
  anomalyBand,
  BAND_MAX_EVENTS,
  type BandQuery,
  bandEvents,
  bandOver,
  mergeBandEvents,
} from "./band";
import type { ListEventsQuery, SeriesPart, SeriesQuery } from "./events";
import { listEvents, series } from "./events";
import type { GroupsQuery } from "./groups";
import { groupStatus } from "./groups";
import { BUSY_RPS, storeBatch, storeCoalesced, storeGroup } from "./intake";
import { runDueJobs } from "./jobs";
import { acceptWatcher, answerWatcher, closeWatcher } from "./live";
import { prunedUpTo, storageStatus } from "./retention";
import { rolledSeries, rollupAnswers } from "./rollup-series";
import type {
  CoalescedMessage,
  GroupedRequest,
  GroupOutcome,
  IngestBatch,
  IngestOutcome,
} from "./rpc";
import { ruleStatus } from "./rule-status";
import { failingJobs } from "./schedule";
import { ShardedObject } from "./shards/object";
import { mergeRuleStatus, othersOf, type PartReads, shareOf } from "./shards/reads";
import { rememberBusiness } from "./storage";

/** Due jobs handled per alarm run; the alarm comes back at once for the rest. */
const JOBS_PER_RUN = 2000;

/**
 * One instance per business (per shard, and a coordinator, when sharded; see
 * object.ts and shards/object.ts): keeps its recent events, live rule state and
 * alerts in SQLite, and drives rule timers, archiving and pruning from its one alarm.
 */
export class BusinessMonitor extends ShardedObject {
  /** Direct ingest requests per second, from every edge together. */
  private readonly directRequests = new PerSecond();

  /** Stores validated events and evaluates the rules on them; durable when this returns. */
  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    const engine = await this.definition.load(batch.businessId, batch.version);
    const outcome = this.transaction(engine, () =>
      storeBatch(this.sql, engine, this.housekeeping, batch, this.definition.outbox),
    );
    if (outcome.status === "stored") {
      await this.alarmClock.plan();
      if (this.directRequests.count(Date.now()) > BUSY_RPS) return { ...outcome, busy: true };
    }
    return outcome;
  }

  /**
   * Stores a group of concurrent small requests from one edge in one
   * transaction (ingest/group.ts); durable when this returns. One call counts
   * as one direct request for the busy signal.
   */
  async ingestGroup(businessId: string, requests: GroupedRequest[]): Promise<GroupOutcome> {
    const version = Math.max(...requests.map((r) => r.version));
    const engine = await this.definition.load(businessId, version);
    const results = this.transaction(engine, () =>
      storeGroup(this.sql, engine, this.housekeeping, requests, this.definition.outbox),
    );
    await this.alarmClock.plan();
    if (this.directRequests.count(Date.now()) > BUSY_RPS) return { results, busy: true };
    return { results };
  }

  /**
   * Stores the requests the ingest Queue delivered, each once by its id (a
   * redelivered message is skipped), in one transaction: one statement per table
   * however many requests. Durable when this returns.
   */
  async ingestCoalesced(
    businessId: string,
    messages: CoalescedMessage[],
  ): Promise<"stored" | "business-deleted"> {
    const version = Math.max(...messages.map((m) => m.version));
    const engine = await this.definition.loadUnlessDeleted(businessId, version);
    if (!engine) return "business-deleted";
    this.transaction(engine, () =>
      storeCoalesced(this.sql, engine, this.housekeeping, messages, this.definition.outbox),
    );
    await this.alarmClock.plan();
    return "stored";
  }

  async listEvents(
    businessId: string,
    q: ListEventsQuery,
  ): Promise<{ items: StoredEvent[]; next: { time: number; seq: number } | null }> {
    rememberBusiness(this.sql, businessId);
    return listEvents(this.sql, q);
  }

  /**
   * A series: whole-hour buckets from the hourly rollups, grouped or not
   * (complete after pruning where they cover the range; rollup-series.ts);
   * sub-hour buckets from the held events, so buckets up to `incompleteBefore`
   * (the newest pruned event's time) may miss events.
   */
  async series(businessId: string, q: SeriesQuery): Promise<SeriesPart> {
    rememberBusiness(this.sql, businessId);
    if (rollupAnswers(q)) return rolledSeries(this.sql, q);
    const pruned = prunedUpTo(this.sql);
    return { items: series(this.sql, q), incompleteBefore: pruned >= q.from ? pruned : null };
  }

  async groups(businessId: string, q: GroupsQuery): Promise<GroupList> {
    rememberBusiness(this.sql, businessId);
    return groupStatus(this.sql, q);
  }

  /**
   * Runs the profile engine over this business's history, here next to the
   * events; shard 0 of a sharded business merges every shard's history first.
   */
  async profile(businessId: string, rules: Rule[]): Promise<Profile> {
    const { business } = await this.definition.load(businessId);
    const now = Date.now();
    const read: PartReads<History> = {
      own: (cap) => loadHistory(this.sql, this.env.ARCHIVE, businessId, now, HISTORY_DAYS, cap),
      other: (monitor, cap) => monitor.history(businessId, now, cap),
    };
    const history = await this.gather(business, HISTORY_CAP, read, mergeHistories);
    return profile(business, history, rules);
  }

  /** This object's share of a sharded business's profile history. */
  async history(businessId: string, now: number, cap: number): Promise<History> {
    rememberBusiness(this.sql, businessId);
    return loadHistory(this.sql, this.env.ARCHIVE, businessId, now, HISTORY_DAYS, cap);
  }

  /** What a rule would have raised over the history; live state is not touched. */
  async backtest(
    businessId: string,
    rule: Rule,
    range: { from?: number | undefined; to?: number | undefined },
  ): Promise<BacktestResult> {
    const engine = await this.definition.load(businessId);
    return backtest(this.ctx.storage, this.env.ARCHIVE, engine.business, rule, range, Date.now());
  }

  /**
   * The coordinator: a backtest of a rule that spans keys, over every shard's
   * history merged (shards/streams.ts), run here where such rules live.
   */
  async backtestAcross(
    businessId: string,
    rule: Rule,
    range: { from?: number | undefined; to?: number | undefined },
  ): Promise<BacktestResult> {
    const { business } = await this.definition.load(businessId);
    const now = Date.now();
    const limit = shareOf(BACKTEST_MAX_EVENTS, business);
    const parts = await Promise.all(
      Array.from({ length: business.shards }, (_, shard) =>
        monitorOf(this.env, businessId, shard).backtestHistory(businessId, range, now, limit),
      ),
    );
    return backtestOver(this.ctx.storage, business, rule, mergeSent(parts), range, now);
  }

  /** This shard's share of a backtest across shards: its events up to the range's end. */
  async backtestHistory(
    businessId: string,
    range: { to?: number | undefined },
    now: number,
    limit: number,
  ) {
    rememberBusiness(this.sql, businessId);
    return backtestHistory(this.ctx.storage, this.env.ARCHIVE, businessId, range, now, limit);
  }

  /**
   * An anomaly rule's normal band over a range, for charts (band.ts); live
   * state is not touched. Shard 0 of a sharded business reads every shard's
   * events, merged.
   */
  async anomalyBand(businessId: string, rule: Rule, q: BandQuery) {
    const { business } = await this.definition.load(businessId);
    const others = othersOf(this.env, business, this.place);
    if (!others) return anomalyBand(this.sql, business, rule, q);
    if (rule.kind !== "anomaly") return { items: [], truncated: false };
    const limit = shareOf(BAND_MAX_EVENTS, business);
    const parts = await Promise.all([
      bandEvents(this.sql, q, limit),
      ...others.map((m) => m.bandEvents(businessId, q, limit)),
    ]);
    return bandOver(business, rule, mergeBandEvents(parts));
  }

  /** This object's share of a sharded business's band. */
  async bandEvents(businessId: string, q: BandQuery, limit: number) {
    rememberBusiness(this.sql, businessId);
    return bandEvents(this.sql, q, limit);
  }

  /**
   * Each rule's standing: replaying its history or live, and for anomaly rules
   * how many series still warm up. Shard 0 of a sharded business adds the
   * other objects' (a rule lives in the shards or in the coordinator).
   */
  async ruleStatus(businessId: string): Promise<Record<string, RuleStatus>> {
    const engine = await this.definition.load(businessId);
    const read: PartReads<Record<string, RuleStatus>> = {
      own: () => ruleStatus(this.sql, engine),
      other: (m) => m.ownRuleStatus(businessId),
    };
    return this.gather(engine.business, 0 /* no events read */, read, mergeRuleStatus);
  }

  /** This object's own rules' standing. */
  async ownRuleStatus(businessId: string): Promise<Record<string, RuleStatus>> {
    return ruleStatus(this.sql, await this.definition.load(businessId));
  }

  /** Background jobs whose last run failed (they retry with backoff). */
  async failingJobs(businessId: string) {
    rememberBusiness(this.sql, businessId);
    return failingJobs(this.sql);
  }

  /** What the object holds: its database size, events kept, and those still to archive. */
  async storageStatus(businessId: string) {
    rememberBusiness(this.sql, businessId);
    return storageStatus(this.sql);
  }

  /** Reloads the rules after they changed and brings the live state in line. */
  async syncRules(businessId: string): Promise<void> {
    this.definition.drop();
    await this.definition.settled();
    await this.definition.load(businessId);
    await this.afterChange();
  }

  /** Reloads the silences after they changed; suppression is judged again at once. */
  async syncSilences(businessId: string): Promise<void> {
    return this.syncRules(businessId);
  }

  /** The live channel of alert changes (see live.ts). */
  override async fetch(request: Request): Promise<Response> {
    return acceptWatcher(this.ctx, request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    answerWatcher(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeWatcher(ws, code);
  }

  /** Forgets everything: called when the business is deleted. */
  async destroy(): Promise<void> {
    this.housekeeping.forget();
    this.alarmClock.forget();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.definition.drop();
    // Empty tables again, so a late request (an edge cache a few seconds behind) finds no broken object.
    this.init();
    this.alerts.reload();
  }

  override async alarm(): Promise<void> {
    // The runtime cleared the alarm to run it; jobs below move the housekeeping rows.
    this.alarmClock.forget();
    this.housekeeping.forget();
    const engine = await this.definition.loadUnlessDeleted();
    // The business was deleted while this object still had work planned.
    if (!engine) return this.destroy();
    await runDueJobs(this.jobContext(engine), Date.now(), JOBS_PER_RUN);
    this.housekeeping.forget();
    await this.alarmClock.sync();
  }
}
