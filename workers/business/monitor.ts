import { DurableObject } from "cloudflare:workers";
import type { SeriesPoint, StoredEvent } from "../../schema/contracts/events";
import type { GroupList } from "../../schema/contracts/groups";
import type { Rule, RuleStatus } from "../../schema/contracts/rules";
import { PerSecond } from "../lib/rate";
import { loadHistory } from "../profile/history";
import type { Profile } from "../profile/profile";
import { profile } from "../profile/profile";
import { Alarm } from "./alarm";
import type { AlertEdit } from "./alert-changes";
import { acknowledgeAlert, forgetAlert, resolveAlert } from "./alert-changes";
import type { BacktestResult } from "./backtest";
import { backtest } from "./backtest";
import { anomalyBand, type BandQuery } from "./band";
import { toAlert } from "./engine/alert-record";
import { AlertStore } from "./engine/alerts";
import type { RuleEngine } from "./engine/engine";
import type { ListEventsQuery, SeriesQuery } from "./events";
import { listEvents, series } from "./events";
import type { GroupsQuery } from "./groups";
import { groupStatus } from "./groups";
import { HousekeepingPlan } from "./housekeeping";
import { BUSY_RPS, storeBatch, storeCoalesced } from "./intake";
import type { JobContext } from "./jobs";
import { runDueJobs, syncIndex } from "./jobs";
import { acceptWatcher, announce, answerWatcher, closeWatcher } from "./live";
import type { Loaded } from "./loader";
import { BusinessDeleted, HeldDefinition, reconcileLoaded } from "./loader";
import { queuedKinds } from "./outbox";
import { replayPasses } from "./replay";
import { storageStatus } from "./retention";
import { rolledSeries, rollupAnswers } from "./rollup";
import type { AlertChange, CoalescedMessage, IngestBatch, IngestOutcome } from "./rpc";
import { ruleStatus } from "./rule-status";
import { failingJobs, scheduleAtMost, unschedule } from "./schedule";
import { applyFromShard } from "./shards/merge";
import type { SpanRow } from "./shards/outbox";
import type { Place } from "./shards/route";
import { placeOf } from "./shards/route";
import { ensureShardTables, objectName, startSeq } from "./shards/storage";
import { getMeta, migrate, rememberBusiness, rememberedBusiness } from "./storage";

/** Due jobs handled per alarm run; the alarm comes back at once for the rest. */
const JOBS_PER_RUN = 2000;

/**
 * One instance per business: keeps its recent events, live rule state and
 * alerts in SQLite, and drives rule timers, archiving and pruning from its one alarm.
 */
export class BusinessMonitor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly alerts: AlertStore;
  private readonly definition: HeldDefinition;
  /** Mirror of the stored housekeeping rows; forgotten whenever they may change behind it (alarm, failure). */
  private readonly housekeeping: HousekeepingPlan;
  private readonly alarmClock: Alarm;
  /** Direct ingest requests per second, from every edge together. */
  private readonly directRequests = new PerSecond();
  /** Which of its business's objects this is: a shard (shard 0 when unsharded) or the coordinator. */
  private readonly place: Place;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
    this.place = placeOf(objectName(this.sql, ctx.id.name));
    this.init();
    this.alerts = new AlertStore(this.sql);
    this.housekeeping = new HousekeepingPlan(this.sql);
    this.alarmClock = new Alarm(ctx.storage);
    this.definition = new HeldDefinition(env, this.sql, this.alerts, this.place, (loaded, id) =>
      this.start(loaded, id),
    );
  }

  /** The tables, and a shard's own numbering of events (shards/storage.ts). */
  private init(): void {
    migrate(this.sql);
    ensureShardTables(this.sql);
    startSeq(this.sql, this.place);
  }

  /** Stores validated events and evaluates the rules on them; durable when this returns. */
  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    const engine = await this.load(batch.businessId, batch.version);
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
   * Stores the requests the ingest Queue delivered, each once by its id (a
   * redelivered message is skipped), in one transaction: one statement per table
   * however many requests. Durable when this returns.
   */
  async ingestCoalesced(
    businessId: string,
    messages: CoalescedMessage[],
  ): Promise<"stored" | "business-deleted"> {
    const version = Math.max(...messages.map((m) => m.version));
    const engine = await this.loadUnlessDeleted(businessId, version);
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

  async series(businessId: string, q: SeriesQuery): Promise<SeriesPoint[]> {
    rememberBusiness(this.sql, businessId);
    return rollupAnswers(q) ? rolledSeries(this.sql, q) : series(this.sql, q);
  }

  async groups(businessId: string, q: GroupsQuery): Promise<GroupList> {
    rememberBusiness(this.sql, businessId);
    return groupStatus(this.sql, q);
  }

  /** Runs the profile engine over this business's history, here next to the events. */
  async profile(businessId: string, rules: Rule[]): Promise<Profile> {
    const engine = await this.load(businessId);
    const now = Date.now();
    const history = await loadHistory(this.sql, this.env.ARCHIVE, businessId, now);
    return profile(engine.business, history, rules);
  }

  /** What a rule would have raised over the history; live state is not touched. */
  async backtest(
    businessId: string,
    rule: Rule,
    range: { from?: number | undefined; to?: number | undefined },
  ): Promise<BacktestResult> {
    const engine = await this.load(businessId);
    return backtest(this.ctx.storage, this.env.ARCHIVE, engine.business, rule, range, Date.now());
  }

  /** An anomaly rule's normal band over a range, for charts (band.ts); live state is not touched. */
  async anomalyBand(businessId: string, rule: Rule, q: BandQuery) {
    return anomalyBand(this.sql, (await this.load(businessId)).business, rule, q);
  }

  /** Each rule's standing: replaying its history or live, and for anomaly rules how many series still warm up. */
  async ruleStatus(businessId: string): Promise<Record<string, RuleStatus>> {
    return ruleStatus(this.sql, await this.load(businessId));
  }

  /**
   * The coordinator of a sharded business: merges a shard's partial state for
   * the rules that span keys and judges them (see shards/merge.ts).
   */
  async fromShard(
    businessId: string,
    shard: number,
    rows: SpanRow[],
  ): Promise<"applied" | "business-deleted"> {
    const engine = await this.loadUnlessDeleted(businessId);
    if (!engine) return "business-deleted";
    this.transaction(engine, () => applyFromShard(engine, this.sql, shard, rows, Date.now()));
    await this.alarmClock.plan();
    return "applied";
  }

  /** Whether this object ever received events (the shard layout is fixed from then on). */
  async hasReceived(businessId: string): Promise<boolean> {
    rememberBusiness(this.sql, businessId);
    return getMeta(this.sql, "last_ingest") !== undefined;
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
    await this.load(businessId);
    await this.afterChange();
  }

  async acknowledge(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, acknowledgeAlert);
  }

  async resolve(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, resolveAlert);
  }

  /** "Forget this key": resolves the alert and drops the key's state (see RuleEngine.forgetKey). */
  async forget(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, forgetAlert);
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
    const engine = await this.loadUnlessDeleted();
    // The business was deleted while this object still had work planned.
    if (!engine) return this.destroy();
    await runDueJobs(this.jobContext(engine), Date.now(), JOBS_PER_RUN);
    this.housekeeping.forget();
    await this.alarmClock.sync();
  }

  private jobContext(engine: RuleEngine): JobContext {
    return {
      sql: this.sql,
      storage: this.ctx.storage,
      env: this.env,
      engine,
      alerts: this.alerts,
      notifier: this.definition.notifier,
      transaction: (work) => this.transaction(engine, work),
      announce: () => announce(this.ctx),
      place: this.place,
    };
  }

  /**
   * Runs `work` in one storage transaction, then writes the engine's state. On
   * failure the engine's caches are dropped, so memory never runs ahead of storage.
   */
  private transaction<T>(engine: RuleEngine, work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        const result = work();
        engine.flush();
        // Queued alert changes go out at once: each outbox kind has a job of its name.
        for (const kind of queuedKinds(this.sql)) scheduleAtMost(this.sql, kind, "", Date.now());
        return result;
      });
    } catch (error) {
      engine.reset();
      this.housekeeping.forget();
      throw error;
    }
  }

  /** Applies a hand change to an alert; the outcome is data (see AlertChange). */
  private async changeAlert(
    businessId: string,
    alertId: string,
    change: AlertEdit,
  ): Promise<AlertChange> {
    const engine = await this.loadUnlessDeleted(businessId);
    if (!engine) return { ok: false, reason: "business-deleted" };
    const alert = this.alerts.get(alertId);
    if (!alert) return { ok: false, reason: "not-found" };
    const refusal = this.transaction(engine, () => change(alert, Date.now(), engine, this.alerts));
    if (refusal) return { ok: false, reason: "already-resolved", detail: refusal };
    await this.afterChange();
    return { ok: true, alert: toAlert(alert, businessId, engine.ruleName(alert.ruleId)) };
  }

  /** Copies alert changes to D1 now (the alarm retries if this fails) and re-plans the alarm. */
  private async afterChange(): Promise<void> {
    const engine = this.definition.engine;
    if (engine) {
      try {
        if (!(await syncIndex(this.jobContext(engine)))) unschedule(this.sql, "index");
      } catch (error) {
        console.error(
          `business ${engine.business.id}: alert index sync failed, the alarm retries`,
          error,
        );
      }
    }
    await this.alarmClock.sync();
  }

  /**
   * The business's definition and rules, compiled into an engine; reloaded from
   * D1 when the caller saw a newer version than the one held here (or after
   * eviction, from the stored id).
   */
  private async load(businessId?: string, version?: number): Promise<RuleEngine> {
    const id = businessId ?? rememberedBusiness(this.sql);
    if (!id) throw new BusinessDeleted("(unknown)");
    return this.definition.get(id, version);
  }

  /** As `load`, but undefined when the business no longer exists. */
  private async loadUnlessDeleted(
    businessId?: string,
    version?: number,
  ): Promise<RuleEngine | undefined> {
    try {
      return await this.load(businessId, version);
    } catch (error) {
      if (error instanceof BusinessDeleted) return undefined;
      throw error;
    }
  }

  /** Brings the live state in line with a freshly loaded definition before any request uses it. */
  private async start(loaded: Loaded, id: string): Promise<void> {
    rememberBusiness(this.sql, id);
    const replaying = this.transaction(loaded.engine, () => reconcileLoaded(this.sql, loaded));
    loaded.engine.pause(replayPasses(this.sql).flatMap((p) => p.rules));
    if (replaying) await this.alarmClock.sync();
  }
}
