import type { Business } from "../../../schema/contracts/businesses";
import { announce } from "../live";
import { BusinessObject } from "../object";
import { getMeta, rememberBusiness } from "../storage";
import { applyFromShard } from "./merge";
import type { SpanRow } from "./outbox";
import { othersOf, type PartReads, shareOf } from "./reads";
import { type ShardPage, type ShardProgress, shardPage } from "./replay";

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

  /**
   * A shard: a page of its history for the coordinator's replay of rules that
   * span keys (shards/replay.ts), once it runs at least `version` of the
   * definition, so every outbox row after the cut it answers carries the new
   * rules' items.
   */
  async replayPage(
    businessId: string,
    version: number,
    from: ShardProgress | undefined,
    share: number,
    limit: number,
  ): Promise<ShardPage> {
    let engine = await this.definition.loadUnlessDeleted(businessId, version);
    // A load begun before `version` was published answers an older one: load again.
    for (let i = 0; engine && engine.business.version < version && i < 3; i++)
      engine = await this.definition.loadUnlessDeleted(businessId, version);
    if (!engine)
      return { progress: from ?? { cut: 0, bound: 0, after: 0 }, events: [], rest: false };
    if (engine.business.version < version)
      throw new Error(`business ${businessId}: version ${version} not loaded yet`);
    return shardPage(this.ctx.storage, this.env.ARCHIVE, businessId, from, share, limit);
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

  /**
   * A read of at most `cap` events answered for the whole business: this
   * object's part, and on shard 0 of a sharded business every other object's
   * share of `cap` too, merged (shards/reads.ts).
   */
  protected async gather<T>(
    business: Business,
    cap: number,
    read: PartReads<T>,
    merge: (parts: T[]) => T,
  ): Promise<T> {
    const others = othersOf(this.env, business, this.place);
    if (!others) return read.own(cap);
    const share = shareOf(cap, business);
    return merge(await Promise.all([read.own(share), ...others.map((m) => read.other(m, share))]));
  }
}
