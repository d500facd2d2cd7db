import { DurableObject } from "cloudflare:workers";
import type { Alert } from "../../schema/contracts/alerts";
import type { IngestResult, SeriesPoint, StoredEvent } from "../../schema/contracts/events";
import type { GroupList } from "../../schema/contracts/groups";
import type { Rule, RuleStatus } from "../../schema/contracts/rules";
import { findBusiness } from "../definitions/businesses";
import { listChannels } from "../definitions/channels";
import { listRules } from "../definitions/rules";
import { listSilenceRows, silenceDef } from "../definitions/silences";
import { database } from "../lib/db";
import { PerSecond } from "../lib/rate";
import { loadHistory } from "../profile/history";
import type { Profile } from "../profile/profile";
import { profile } from "../profile/profile";
import { ANALYTICS_INTERVAL_MS } from "./analytics";
import { ARCHIVE_BATCH, ARCHIVE_DELAY_MS, archivedSeq } from "./archive";
import type { BacktestResult } from "./backtest";
import { backtest } from "./backtest";
import type { Counter } from "./counters";
import { toDeltas } from "./counters";
import type { AlertRecord } from "./engine/alerts";
import { AlertStore, toAlert } from "./engine/alerts";
import { WARM_UP_POINTS } from "./engine/anomaly";
import { RuleEngine } from "./engine/engine";
import { reconcile } from "./engine/reconcile";
import type { ListEventsQuery, NewEvent, SeriesQuery } from "./events";
import { insertEvents, insertReceived, listEvents, series } from "./events";
import type { GroupsQuery } from "./groups";
import { groupStatus } from "./groups";
import type { JobPing } from "./job-runs";
import { trackJobRun } from "./job-runs";
import type { JobContext } from "./jobs";
import { runDueJobs, syncIndex } from "./jobs";
import { Notifier } from "./notifications";
import { queuedKinds } from "./outbox";
import { SilenceWindow } from "./quiet/window";
import { keepReplaying, replayPasses, startReplay } from "./replay";
import { PRUNE_INTERVAL_MS } from "./retention";
import {
  failingJobs,
  scheduleAtMost,
  syncAlarm,
  takeEarliestWritten,
  unschedule,
} from "./schedule";
import { applyFromShard } from "./shards/merge";
import type { SpanRow } from "./shards/outbox";
import { SpanOutbox } from "./shards/outbox";
import type { Place } from "./shards/route";
import { placeOf, rulesAt } from "./shards/route";
import { ensureShardTables, objectName, startSeq } from "./shards/storage";
import { getMeta, migrate, setMeta } from "./storage";

export interface IngestBatch {
  businessId: string;
  /** The definition version the edge validated against. */
  version: number;
  sourceId: string;
  receivedAt: number;
  events: NewEvent[];
  rejected: IngestResult["rejected"];
  idempotency?: { key: string; bodyHash: string } | undefined;
  /** A heartbeat ping (one event): its run's start is noted, its end measured. */
  job?: JobPing | undefined;
  /** OpenTelemetry cumulative sums among the events: stored as deltas. */
  counters?: Counter[] | undefined;
}

/** One accepted request on its way through the ingest Queue (see ingest/coalesce.ts). */
export type CoalescedMessage = Omit<IngestBatch, "idempotency"> & {
  /** Unique per request: the object stores a message once by it. */
  id: string;
  /** A sharded business's layout when the request was accepted: the consumer splits by it. */
  layout?: { shards: number; shardKey: string | null } | undefined;
};

/** What became of a change to an alert, in domain terms (api/ maps them to HTTP). */
export type AlertChange =
  | { ok: true; alert: Alert }
  | { ok: false; reason: "not-found" | "business-deleted" }
  | { ok: false; reason: "already-resolved"; detail: string };

/** Raised inside the object when its business no longer exists in D1; never crosses RPC. */
class BusinessDeleted extends Error {
  constructor(id: string) {
    super(`business ${id} was deleted`);
    this.name = "BusinessDeleted";
  }
}

export type IngestOutcome =
  /** `busy`: this object takes more direct requests than it should; the edge coalesces for a while. */
  | { status: "stored"; result: IngestResult; busy?: true }
  | { status: "replayed"; result: IngestResult }
  | { status: "key-reused" };

/** Due jobs handled per alarm run; the alarm comes back at once for the rest. */
const JOBS_PER_RUN = 2000;
/**
 * Direct ingest requests per second (from every edge together) above which the
 * object tells the edge to coalesce: a quarter of the ~1,000 requests/s an
 * object serves, so it keeps headroom for reads, alarms and bursts.
 */
export const BUSY_RPS = 250;
/** The jobs every ingest makes sure of; see `planHousekeeping`. */
const HOUSEKEEPING = ["archive", "analytics", "prune"] as const;

/** What is known to be stored for the housekeeping jobs, so an ingest writes only what moves earlier. */
interface Housekeeping {
  archivedSeq: number;
  due: Map<string, number>;
}

/**
 * One instance per business: keeps its recent events, live rule state and
 * alerts in SQLite, and drives rule timers, archiving and pruning from its one alarm.
 */
export class BusinessMonitor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly alerts: AlertStore;
  private engine: RuleEngine | undefined;
  private loading: Promise<RuleEngine> | undefined;
  private notifier: Notifier | undefined;
  /** Mirror of the stored housekeeping rows; dropped whenever they may change behind it (alarm, failure). */
  private housekeeping: Housekeeping | undefined;
  /** The alarm as `syncAlarm` last left it (null: none); undefined when not known. */
  private alarmAt: number | null | undefined;
  /** Direct ingest requests per second, from every edge together. */
  private readonly directRequests = new PerSecond();
  /** Which of its business's objects this is: a shard (shard 0 when unsharded) or the coordinator. */
  private readonly place: Place;
  /** A shard's partial state for the rules that span keys; undefined when there are none. */
  private outbox: SpanOutbox | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
    this.place = placeOf(objectName(this.sql, ctx.id.name));
    this.init();
    this.alerts = new AlertStore(this.sql);
  }

  private init(): void {
    migrate(this.sql);
    ensureShardTables(this.sql);
    startSeq(this.sql, this.place);
  }

  /** Stores validated events and evaluates the rules on them; durable when this returns. */
  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    const engine = await this.load(batch.businessId, batch.version);
    const result: IngestResult = { accepted: batch.events.length, rejected: batch.rejected };
    const outcome = this.transaction(engine, (): IngestOutcome => {
      if (batch.idempotency) {
        const seen = this.sql
          .exec<{ body_hash: string; response: string }>(
            `select body_hash, response from idempotency where key = ?`,
            batch.idempotency.key,
          )
          .toArray()[0];
        if (seen) {
          return seen.body_hash === batch.idempotency.bodyHash
            ? { status: "replayed", result: JSON.parse(seen.response) }
            : { status: "key-reused" };
        }
        this.sql.exec(
          `insert into idempotency (key, body_hash, response, created) values (?, ?, ?, ?)`,
          batch.idempotency.key,
          batch.idempotency.bodyHash,
          JSON.stringify(result),
          batch.receivedAt,
        );
      }
      const ping = batch.events[0];
      if (batch.job && ping) trackJobRun(this.sql, batch.job, ping, batch.receivedAt);
      if (batch.counters) toDeltas(this.sql, batch.counters, batch.events);
      const { lastSeq } = insertEvents(this.sql, batch.events, batch.receivedAt, batch.sourceId);
      const now = Date.now();
      if (batch.events.length) engine.noteIngest(batch.receivedAt, now);
      engine.process(batch.events, now);
      this.outbox?.collect(this.sql, batch.events, batch.receivedAt, now);
      this.planHousekeeping(lastSeq, now);
      return { status: "stored", result };
    });
    if (outcome.status === "stored") {
      await this.planAlarm();
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
    let engine: RuleEngine;
    try {
      engine = await this.load(businessId, Math.max(...messages.map((m) => m.version)));
    } catch (error) {
      if (error instanceof BusinessDeleted) return "business-deleted";
      throw error;
    }
    this.transaction(engine, () => {
      const now = Date.now();
      const fresh = new Set(
        this.sql
          .exec<{ id: string }>(
            `insert into coalesced (id, at) select value, ? from json_each(?) where true
             on conflict do nothing returning id`,
            now,
            JSON.stringify(messages.map((m) => m.id)),
          )
          .toArray()
          .map((r) => r.id),
      );
      const events = messages.flatMap((m) => {
        if (!fresh.delete(m.id)) return [];
        return m.events.map((e) => ({ ...e, received: m.receivedAt, source: m.sourceId }));
      });
      if (events.length === 0) return;
      const { lastSeq } = insertReceived(this.sql, events);
      engine.noteIngest(Math.max(...events.map((e) => e.received)), now);
      engine.process(events, now);
      this.outbox?.collect(this.sql, events, Math.max(...events.map((e) => e.received)), now);
      this.planHousekeeping(lastSeq, now);
    });
    await this.planAlarm();
    return "stored";
  }

  /**
   * Archive, analytics and prune runs follow every ingest. Usually they are
   * already planned at an earlier or equal time: then nothing is written.
   */
  private planHousekeeping(lastSeq: number, now: number): void {
    this.housekeeping ??= this.readHousekeeping();
    const { archivedSeq: archived, due } = this.housekeeping;
    const wanted: Record<(typeof HOUSEKEEPING)[number], number> = {
      archive: lastSeq - archived >= ARCHIVE_BATCH ? now : now + ARCHIVE_DELAY_MS,
      analytics: now + ANALYTICS_INTERVAL_MS,
      prune: now + PRUNE_INTERVAL_MS,
    };
    for (const kind of HOUSEKEEPING) {
      const planned = due.get(kind);
      if (planned !== undefined && planned <= wanted[kind]) continue;
      scheduleAtMost(this.sql, kind, "", wanted[kind]);
      due.set(kind, wanted[kind]);
    }
  }

  private readHousekeeping(): Housekeeping {
    const due = new Map<string, number>();
    for (const row of this.sql.exec<{ kind: string; due: number }>(
      `select kind, due from schedule where key = '' and kind in (select value from json_each(?))`,
      JSON.stringify(HOUSEKEEPING),
    )) {
      due.set(row.kind, row.due);
    }
    return { archivedSeq: archivedSeq(this.sql), due };
  }

  /** Re-points the alarm only when a job was planned before it (or the alarm is not known). */
  private async planAlarm(): Promise<void> {
    const earliest = takeEarliestWritten(this.sql);
    const alarm = this.alarmAt;
    if (alarm !== undefined && (earliest === undefined || (alarm !== null && alarm <= earliest)))
      return;
    await this.syncAlarm();
  }

  private async syncAlarm(): Promise<void> {
    this.alarmAt = undefined;
    this.alarmAt = await syncAlarm(this.ctx.storage, this.sql);
  }

  async listEvents(
    businessId: string,
    q: ListEventsQuery,
  ): Promise<{ items: StoredEvent[]; next: { time: number; seq: number } | null }> {
    this.remember(businessId);
    return listEvents(this.sql, q);
  }

  async series(businessId: string, q: SeriesQuery): Promise<SeriesPoint[]> {
    this.remember(businessId);
    return series(this.sql, q);
  }

  async groups(businessId: string, q: GroupsQuery): Promise<GroupList> {
    this.remember(businessId);
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

  /** Each rule's standing: replaying its history or live, and for anomaly rules how many series still warm up. */
  async ruleStatus(businessId: string): Promise<Record<string, RuleStatus>> {
    const engine = await this.load(businessId);
    const status: Record<string, RuleStatus> = {};
    for (const r of engine.rules) status[r.rule.id] = { history: "ready" };
    for (const pass of replayPasses(this.sql)) {
      for (const id of pass.rules)
        status[id] = { history: "replaying", replayedEvents: pass.events };
    }
    for (const row of this.sql.exec<{ rule_id: string; groups: number; warming: number }>(
      `select rule_id, count(*) as groups, sum(json_extract(state, '$.n') < ?) as warming
       from anomaly group by rule_id`,
      WARM_UP_POINTS,
    )) {
      const s = status[row.rule_id];
      if (s) Object.assign(s, { groups: row.groups, warmingUp: row.warming });
    }
    for (const r of engine.rules) {
      const s = status[r.rule.id];
      if (r.kind === "anomaly" && s && s.groups === undefined)
        Object.assign(s, { groups: 0, warmingUp: 0 });
    }
    return status;
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
    let engine: RuleEngine;
    try {
      engine = await this.load(businessId);
    } catch (error) {
      if (error instanceof BusinessDeleted) return "business-deleted";
      throw error;
    }
    this.transaction(engine, () => applyFromShard(engine, this.sql, shard, rows, Date.now()));
    await this.planAlarm();
    return "applied";
  }

  /** Whether this object ever received events (the shard layout is fixed from then on). */
  async hasReceived(businessId: string): Promise<boolean> {
    this.remember(businessId);
    return getMeta(this.sql, "last_ingest") !== undefined;
  }

  /** Background jobs whose last run failed (they retry with backoff). */
  async failingJobs(businessId: string) {
    this.remember(businessId);
    return failingJobs(this.sql);
  }

  /** Reloads the rules after they changed and brings the live state in line. */
  async syncRules(businessId: string): Promise<void> {
    this.engine = undefined;
    await this.loading;
    await this.load(businessId);
    await this.afterChange();
  }

  async acknowledge(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, (alert, now) => {
      if (alert.status === "resolved") return `Alert '${alertId}' is already resolved.`;
      this.alerts.acknowledge(alert, now);
      return undefined;
    });
  }

  async resolve(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, (alert, now, engine) => {
      if (alert.status !== "resolved") engine.resolveByHand(alert, now);
      return undefined;
    });
  }

  /** "Forget this key": resolves the alert and drops the key's state (see RuleEngine.forgetKey). */
  async forget(businessId: string, alertId: string): Promise<AlertChange> {
    return this.changeAlert(businessId, alertId, (alert, now, engine) => {
      engine.forgetKey(alert, now);
      return undefined;
    });
  }

  /** Reloads the silences after they changed; suppression is judged again at once. */
  async syncSilences(businessId: string): Promise<void> {
    return this.syncRules(businessId);
  }

  /**
   * The live channel: a WebSocket (hibernatable: an idle watcher costs no
   * running object) that hears `{"type":"alerts"}` whenever this business's
   * alerts changed and the change reached the alert index.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ type: "hello" }));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send(JSON.stringify({ type: "pong" }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
  }

  /** Tells every watcher that alerts changed (they reload what they show). */
  private announce(): void {
    const message = JSON.stringify({ type: "alerts", at: Date.now() });
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message);
      } catch {
        // A socket that is closing; the runtime drops it.
      }
    }
  }

  /** Forgets everything: called when the business is deleted. */
  async destroy(): Promise<void> {
    this.housekeeping = undefined;
    this.alarmAt = undefined;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.engine = undefined;
    // Empty tables again, so a late request (an edge cache a few seconds behind) finds no broken object.
    this.init();
    this.alerts.reload();
  }

  override async alarm(): Promise<void> {
    // The runtime cleared the alarm to run it; jobs below move the housekeeping rows.
    this.alarmAt = undefined;
    this.housekeeping = undefined;
    let engine: RuleEngine | undefined;
    try {
      engine = await this.load();
    } catch (error) {
      // The business was deleted while this object still had work planned.
      if (error instanceof BusinessDeleted) return this.destroy();
      throw error;
    }
    await runDueJobs(this.jobContext(engine), Date.now(), JOBS_PER_RUN);
    this.housekeeping = undefined;
    await this.syncAlarm();
  }

  private jobContext(engine: RuleEngine): JobContext {
    return {
      sql: this.sql,
      storage: this.ctx.storage,
      env: this.env,
      engine,
      alerts: this.alerts,
      notifier: this.notifier,
      transaction: (work) => this.transaction(engine, work),
      announce: () => this.announce(),
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
      this.housekeeping = undefined;
      throw error;
    }
  }

  /** `change` returns why it refuses, or nothing. Errors do not keep their class across RPC, so outcomes are data. */
  private async changeAlert(
    businessId: string,
    alertId: string,
    change: (alert: AlertRecord, now: number, engine: RuleEngine) => string | undefined,
  ): Promise<AlertChange> {
    let engine: RuleEngine;
    try {
      engine = await this.load(businessId);
    } catch (error) {
      if (error instanceof BusinessDeleted) return { ok: false, reason: "business-deleted" };
      throw error;
    }
    const alert = this.alerts.get(alertId);
    if (!alert) return { ok: false, reason: "not-found" };
    const refusal = this.transaction(engine, () => change(alert, Date.now(), engine));
    if (refusal) return { ok: false, reason: "already-resolved", detail: refusal };
    await this.afterChange();
    return { ok: true, alert: toAlert(alert, businessId, engine.ruleName(alert.ruleId)) };
  }

  /** Copies alert changes to D1 now (the alarm retries if this fails) and re-plans the alarm. */
  private async afterChange(): Promise<void> {
    const engine = this.engine;
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
    await this.syncAlarm();
  }

  private remember(businessId: string): void {
    if (getMeta(this.sql, "business_id") !== businessId)
      setMeta(this.sql, "business_id", businessId);
  }

  /**
   * The business's definition and rules, compiled into an engine; reloaded from
   * D1 when the caller saw a newer version than the one held here (or after
   * eviction, from the stored id).
   */
  private async load(businessId?: string, version?: number): Promise<RuleEngine> {
    const id = businessId ?? getMeta(this.sql, "business_id");
    if (!id) throw new BusinessDeleted("(unknown)");
    if (this.engine && (version === undefined || this.engine.business.version >= version))
      return this.engine;
    // Requests that arrive while the definition loads share the one load.
    this.loading ??= this.build(id).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async build(id: string): Promise<RuleEngine> {
    const db = database(this.env.DB);
    const [business, rules, channels, silenceRows] = await Promise.all([
      findBusiness(db, id),
      listRules(db, id),
      listChannels(db, id),
      listSilenceRows(db, id),
    ]);
    if (!business) throw new BusinessDeleted(id);
    // A sharded business's rules that span keys run in its coordinator, the others in each shard.
    const here = rulesAt(this.place, business, rules);
    const engine = new RuleEngine(this.sql, business, here, this.alerts);
    this.outbox = SpanOutbox.of(this.place, business, rules);
    const silences: SilenceWindow[] = [];
    for (const row of silenceRows) {
      try {
        silences.push(new SilenceWindow(silenceDef(row), business.timezone));
      } catch (error) {
        // The API checks schedules when saved; one that no longer parses silences nothing.
        console.warn(`business ${id}: silence ${row.id} skipped`, error);
      }
    }
    const notifier = new Notifier(
      this.sql,
      business,
      channels,
      {
        channels: (ruleId) => engine.ruleChannels(ruleId),
        name: (ruleId) => engine.ruleName(ruleId),
        inhibitors: (ruleId) => engine.inhibitorsOf(ruleId),
        kind: (ruleId) => engine.ruleKind(ruleId),
      },
      silences,
      this.alerts,
      engine.rules.map((r) => r.rule.id),
    );
    this.alerts.listener = (alert, type, transitionId, at) =>
      notifier.onTransition(alert, type, transitionId, at);
    this.remember(id);
    // Rules that start afresh learn from the history first; until they have caught up they sit out live events.
    const replaying = this.transaction(engine, () => {
      const now = Date.now();
      const fresh = reconcile(engine, here, now);
      notifier.refresh(now);
      keepReplaying(this.sql, new Set(engine.rules.map((r) => r.rule.id)));
      const due = startReplay(this.sql, fresh);
      if (due) scheduleAtMost(this.sql, "replay", "", now);
      return due;
    });
    engine.pause(replayPasses(this.sql).flatMap((p) => p.rules));
    if (replaying) await this.syncAlarm();
    this.engine = engine;
    this.notifier = notifier;
    return engine;
  }
}
