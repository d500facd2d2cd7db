import { DurableObject } from "cloudflare:workers";
import { monitorOf } from "../definitions/monitor";
import { Alarm } from "./alarm";
import { type AlertAction, alertEdits } from "./alert-changes";
import { commit } from "./commit";
import { toAlert } from "./engine/alert-record";
import { AlertStore } from "./engine/alerts";
import type { RuleEngine } from "./engine/engine";
import { HousekeepingPlan } from "./housekeeping";
import type { JobContext } from "./jobs";
import { syncIndexNow } from "./jobs";
import { announce } from "./live";
import type { Loaded } from "./loader";
import { HeldDefinition, reconcileLoaded } from "./loader";
import { replayPasses } from "./replay";
import type { AlertChange } from "./rpc";
import type { Place } from "./shards/route";
import { placeOf } from "./shards/route";
import { ensureShardTables, objectName, startSeq } from "./shards/storage";
import { migrate, rememberBusiness } from "./storage";

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
      announce: () => this.announce(engine),
      place: this.place,
      isCurrent: () => this.definition.engine === engine,
    };
  }

  /**
   * Tells this object's watchers that alerts changed. Watchers connect to
   * shard 0 (the business's own object): another object of a sharded
   * business tells shard 0, which tells its watchers (shards/object.ts).
   */
  protected async announce(engine: RuleEngine): Promise<void> {
    announce(this.ctx);
    const { id, shards } = engine.business;
    if (shards <= 1 || (this.place.role === "shard" && this.place.shard === 0)) return;
    try {
      await monitorOf(this.env, id).alertsChanged(id);
    } catch (error) {
      // Watchers miss one nudge; the next change (or their reload) catches up.
      console.error(`business ${id}: telling shard 0's watchers failed`, error);
    }
  }

  /**
   * Runs `work` as one commit (see commit.ts); on a sharded business the
   * inhibiting rules' alerts are noted with it (shards/inhibit.ts). A failure
   * forgets the housekeeping mirror too.
   */
  protected transaction<T>(engine: RuleEngine, work: () => T): T {
    const noted = () => {
      const result = work();
      this.definition.inhibition?.note(Date.now());
      return result;
    };
    return commit(this.ctx.storage, engine, noted, () => this.housekeeping.forget());
  }

  /**
   * A hand change to an alert (acknowledge, resolve, or "forget this key": see
   * alert-changes.ts); the outcome is data (see AlertChange).
   */
  async changeAlert(
    businessId: string,
    alertId: string,
    action: AlertAction,
  ): Promise<AlertChange> {
    const engine = await this.definition.loadUnlessDeleted(businessId);
    if (!engine) return { ok: false, reason: "business-deleted" };
    const alert = this.alerts.get(alertId);
    if (!alert) return { ok: false, reason: "not-found" };
    const refusal = this.transaction(engine, () =>
      alertEdits[action](alert, Date.now(), engine, this.alerts),
    );
    if (refusal) return { ok: false, reason: "already-resolved", detail: refusal };
    await this.afterChange();
    return { ok: true, alert: toAlert(alert, businessId, engine.ruleName(alert.ruleId)) };
  }

  /** Copies alert changes to D1 now (the alarm retries if this fails) and re-plans the alarm. */
  protected async afterChange(): Promise<void> {
    const engine = this.definition.engine;
    if (engine) await syncIndexNow(this.jobContext(engine));
    await this.alarmClock.sync();
  }

  /** Brings the live state in line with a freshly loaded definition before any request uses it. */
  protected async start(loaded: Loaded, id: string): Promise<void> {
    rememberBusiness(this.sql, id);
    const replaying = this.transaction(loaded.engine, () =>
      reconcileLoaded(this.sql, loaded, this.place),
    );
    loaded.engine.pause(replayPasses(this.sql).flatMap((p) => p.rules));
    if (replaying) await this.alarmClock.sync();
  }
}
