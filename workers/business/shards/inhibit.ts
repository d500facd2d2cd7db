import type { Rule } from "../../../schema/contracts/rules";
import type { AlertStore } from "../engine/alerts";
import { scheduleAt, scheduleAtMost } from "../schedule";
import { getMeta, setMeta } from "../storage";
import type { InhibitItem } from "./outbox";
import { JOB_SHARD_PUSH, PUSH_INTERVAL_MS } from "./outbox";
import type { Place } from "./route";

/**
 * `inhibitedBy` across the objects of a sharded business (docs/capacity.md,
 * "Inhibition across shards"). The mergeable state is, per object, the set of
 * inhibiting rules with an active alert there; the business-wide set is their
 * union. A shard sends its set to the coordinator in its outbox (one more
 * item of the push, at most `PUSH_INTERVAL_MS` later); the coordinator adds
 * its own, and when the union changes hands it to every shard (job
 * `inhibit-push`, retried until each shard has it). Every object then judges
 * `inhibited` from its own alerts and the union it last heard of.
 */

/** The coordinator's job that hands the business-wide set to the shards. */
export const JOB_INHIBIT_PUSH = "inhibit-push";

/** The coordinator's side of the hand-over, as the job calls each shard. */
export interface InhibitReceiver {
  inhibitors(businessId: string, version: number, active: string[]): Promise<void>;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const parse = (text: string | undefined): string[] => (text ? (JSON.parse(text) as string[]) : []);

/** One object's view of the business's inhibiting rules; undefined for an unsharded business. */
export class CrossInhibition {
  private heard: Set<string>;

  private constructor(
    private readonly sql: SqlStorage,
    private readonly place: Place,
    /** The rules some rule's `inhibitedBy` names, sorted. */
    private readonly inhibitors: string[],
    private readonly alerts: AlertStore,
  ) {
    this.heard = new Set(this.elsewhereNow());
  }

  static of(sql: SqlStorage, place: Place, sharded: boolean, rules: Rule[], alerts: AlertStore) {
    if (!sharded) return undefined;
    const inhibitors = [...new Set(rules.flatMap((r) => r.inhibitedBy ?? []))].sort();
    return new CrossInhibition(sql, place, inhibitors, alerts);
  }

  /** Whether an inhibiting rule has an active alert in another object (as last heard). */
  activeElsewhere(ruleId: string): boolean {
    return this.heard.has(ruleId);
  }

  /** The inhibiting rules with an active alert in this object, sorted. */
  private local(): string[] {
    return this.inhibitors.filter((r) => this.alerts.hasActive(r));
  }

  /** A shard: the coordinator's last hand-over. The coordinator: the union of the shards' reports. */
  private elsewhereNow(): string[] {
    if (this.place.role === "shard") return parse(getMeta(this.sql, "inhibit_heard"));
    const union = new Set<string>();
    for (const row of this.sql.exec<{ active: string }>(`select active from shard_inhibitors`)) {
      for (const r of parse(row.active)) union.add(r);
    }
    return [...union].sort();
  }

  /**
   * After each change of state, in its transaction: a shard whose set changed
   * reports it; the coordinator whose union (its own and the shards') changed
   * plans the hand-over to the shards.
   */
  note(now: number): void {
    const local = this.local();
    if (this.place.role === "shard") {
      if (same(local, parse(getMeta(this.sql, "inhibit_reported")))) return;
      setMeta(this.sql, "inhibit_reported", JSON.stringify(local));
      // A row of its own (received 0: it is no arrival of events), pushed with the others.
      const item: InhibitItem = { k: "i", a: local };
      this.sql.exec(
        `insert into shard_outbox (received, items) values (0, ?)`,
        JSON.stringify([item]),
      );
      scheduleAtMost(this.sql, JOB_SHARD_PUSH, "", now + PUSH_INTERVAL_MS);
      return;
    }
    const union = [...new Set([...local, ...this.heard])].sort();
    if (same(union, parse(getMeta(this.sql, "inhibit_sent")))) return;
    setMeta(this.sql, "inhibit_sent", JSON.stringify(union));
    setMeta(
      this.sql,
      "inhibit_version",
      String(Number(getMeta(this.sql, "inhibit_version") ?? 0) + 1),
    );
    scheduleAt(this.sql, JOB_INHIBIT_PUSH, "", now);
  }

  /** The coordinator: a shard's report. Returns whether the union heard from the shards changed. */
  fromShard(shard: number, item: InhibitItem): boolean {
    this.sql.exec(
      `insert into shard_inhibitors (shard, active) values (?, ?)
       on conflict (shard) do update set active = excluded.active`,
      shard,
      JSON.stringify(item.a),
    );
    return this.hear(this.elsewhereNow());
  }

  /** A shard: the coordinator's hand-over; an older one than held is ignored. Returns whether it changed. */
  fromCoordinator(version: number, active: string[]): boolean {
    if (version <= Number(getMeta(this.sql, "inhibit_version") ?? 0)) return false;
    setMeta(this.sql, "inhibit_version", String(version));
    setMeta(this.sql, "inhibit_heard", JSON.stringify([...active].sort()));
    return this.hear(this.elsewhereNow());
  }

  private hear(now: string[]): boolean {
    const changed = !same(now, [...this.heard].sort());
    this.heard = new Set(now);
    return changed;
  }
}

/** The coordinator's job: hands its current union, numbered, to every shard; returns the number sent. */
export async function pushInhibitors(
  sql: SqlStorage,
  businessId: string,
  shards: InhibitReceiver[],
): Promise<number> {
  const version = Number(getMeta(sql, "inhibit_version") ?? 0);
  const active = parse(getMeta(sql, "inhibit_sent"));
  await Promise.all(shards.map((s) => s.inhibitors(businessId, version, active)));
  return version;
}
