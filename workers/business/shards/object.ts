import { announce } from "../live";
import { BusinessObject } from "../object";
import { getMeta, rememberBusiness } from "../storage";
import { applyFromShard } from "./merge";
import type { SpanRow } from "./outbox";

/**
 * The calls between the objects of a sharded business (docs/capacity.md,
 * "Sharding"): what a coordinator takes from its shards, and what the layout
 * check asks of each object.
 */
export abstract class ShardedObject extends BusinessObject {
  /**
   * The coordinator of a sharded business: merges a shard's partial state for
   * the rules that span keys and judges them (see shards/merge.ts).
   */
  async fromShard(
    businessId: string,
    shard: number,
    rows: SpanRow[],
  ): Promise<"applied" | "business-deleted"> {
    const engine = await this.definition.loadUnlessDeleted(businessId);
    if (!engine) return "business-deleted";
    this.transaction(engine, () => {
      const now = Date.now();
      // The shards' inhibiting rules changed: this object's alerts are judged again.
      if (applyFromShard(engine, this.sql, shard, rows, now, this.definition.inhibition))
        this.definition.notifier?.refresh(now);
    });
    await this.alarmClock.plan();
    return "applied";
  }

  /**
   * A shard of a sharded business: the inhibiting rules with an active alert
   * anywhere in the business, as the coordinator last knew them (numbered, an
   * older hand-over is ignored); this shard's alerts are judged again.
   */
  async inhibitors(businessId: string, version: number, active: string[]): Promise<void> {
    const engine = await this.definition.loadUnlessDeleted(businessId);
    if (!engine) return;
    this.transaction(engine, () => {
      if (this.definition.inhibition?.fromCoordinator(version, active))
        this.definition.notifier?.refresh(Date.now());
    });
    await this.afterChange();
  }

  /** Shard 0: another object of the business changed alerts; its watchers connect here. */
  async alertsChanged(businessId: string): Promise<void> {
    rememberBusiness(this.sql, businessId);
    announce(this.ctx);
  }

  /** Whether this object ever received events (the shard layout is fixed from then on). */
  async hasReceived(businessId: string): Promise<boolean> {
    rememberBusiness(this.sql, businessId);
    return getMeta(this.sql, "last_ingest") !== undefined;
  }
}
