import { DurableObject } from "cloudflare:workers";
import { Alarm } from "./alarm";
import type { AlertEdit } from "./alert-changes";
import { toAlert } from "./engine/alert-record";
import { AlertStore } from "./engine/alerts";
import type { RuleEngine } from "./engine/engine";
import { HousekeepingPlan } from "./housekeeping";
import type { JobContext } from "./jobs";
import { syncIndex } from "./jobs";
import { announce } from "./live";
import type { Loaded } from "./loader";
import { BusinessDeleted, HeldDefinition, reconcileLoaded } from "./loader";
import { takeEnqueued } from "./outbox";
import { replayPasses } from "./replay";
import type { AlertChange } from "./rpc";
import { scheduleAtMost, unschedule } from "./schedule";
import type { Place } from "./shards/route";
import { placeOf } from "./shards/route";
import { ensureShardTables, objectName, startSeq } from "./shards/storage";
import { migrate, rememberBusiness, rememberedBusiness } from "./storage";

/**
 * What every object of a business stands on (monitor.ts holds its calls): its
 * SQLite tables, its place in the business's layout, the held definition and
 * compiled rules, and the one way to change state (a storage transaction that
 * writes the engine's state with it).
 */
export abstract class BusinessObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly alerts: AlertStore;
  protected readonly definition: HeldDefinition;
  /** Mirror of the stored housekeeping rows; forgotten whenever they may change behind it (alarm, failure). */
  protected readonly housekeeping: HousekeepingPlan;
  protected readonly alarmClock: Alarm;
  /** Which of its business's objects this is: a shard (shard 0 when unsharded) or the coordinator. */
  protected readonly place: Place;

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
  protected init(): void {
    migrate(this.sql);
    ensureShardTables(this.sql);
    startSeq(this.sql, this.place);
  }

  protected jobContext(engine: RuleEngine): JobContext {
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
  protected transaction<T>(engine: RuleEngine, work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        const result = work();
        // A sharded business: an inhibiting rule's alerts changed here (shards/inhibit.ts).
        this.definition.inhibition?.note(Date.now());
        engine.flush();
        // Queued alert changes go out at once: each outbox kind has a job of its name.
        for (const kind of takeEnqueued(this.sql)) scheduleAtMost(this.sql, kind, "", Date.now());
        return result;
      });
    } catch (error) {
      engine.reset();
      this.housekeeping.forget();
      throw error;
    }
  }

  /** Applies a hand change to an alert; the outcome is data (see AlertChange). */
  protected async changeAlert(
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
  protected async afterChange(): Promise<void> {
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
  protected async load(businessId?: string, version?: number): Promise<RuleEngine> {
    const id = businessId ?? rememberedBusiness(this.sql);
    if (!id) throw new BusinessDeleted("(unknown)");
    return this.definition.get(id, version);
  }

  /** As `load`, but undefined when the business no longer exists. */
  protected async loadUnlessDeleted(
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
  protected async start(loaded: Loaded, id: string): Promise<void> {
    rememberBusiness(this.sql, id);
    const replaying = this.transaction(loaded.engine, () => reconcileLoaded(this.sql, loaded));
    loaded.engine.pause(replayPasses(this.sql).flatMap((p) => p.rules));
    if (replaying) await this.alarmClock.sync();
  }
}
