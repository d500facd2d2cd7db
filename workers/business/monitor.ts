import { DurableObject } from "cloudflare:workers";
import type { Business } from "../../schema/contracts/businesses";
import type { IngestResult, SeriesPoint, StoredEvent } from "../../schema/contracts/events";
import { getBusiness } from "../api/businesses/service";
import { database } from "../lib/db";
import { ProblemError } from "../lib/errors";
import { ANALYTICS_INTERVAL_MS, writeAnalytics } from "./analytics";
import { ARCHIVE_BATCH, ARCHIVE_DELAY_MS, flushArchive } from "./archive";
import type { ListEventsQuery, NewEvent, SeriesQuery } from "./events";
import { insertEvents, listEvents, series } from "./events";
import { PRUNE_INTERVAL_MS, pruneEvents } from "./retention";
import { dueJobs, scheduleAt, scheduleAtMost, syncAlarm, unschedule } from "./schedule";
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
}

export type IngestOutcome =
  | { status: "stored"; result: IngestResult }
  | { status: "replayed"; result: IngestResult }
  | { status: "key-reused" };

/** Retry delay after a job failed in the alarm (R2 or D1 briefly unavailable). */
const RETRY_MS = 5_000;

/**
 * One instance per business: keeps its recent events and live rule state in
 * SQLite and drives archiving, pruning and (later) rule timers from its one alarm.
 */
export class BusinessMonitor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private business: Business | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
  }

  /** Stores validated events; they are durable when this returns. */
  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    await this.definition(batch.businessId, batch.version);
    const result: IngestResult = { accepted: batch.events.length, rejected: batch.rejected };
    const outcome = this.ctx.storage.transactionSync((): IngestOutcome => {
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
      const { lastSeq } = insertEvents(this.sql, batch.events, batch.receivedAt, batch.sourceId);
      const pending = lastSeq - this.archivedSeq();
      const now = Date.now();
      scheduleAtMost(
        this.sql,
        "archive",
        "",
        pending >= ARCHIVE_BATCH ? now : now + ARCHIVE_DELAY_MS,
      );
      scheduleAtMost(this.sql, "analytics", "", now + ANALYTICS_INTERVAL_MS);
      scheduleAtMost(this.sql, "prune", "", now + PRUNE_INTERVAL_MS);
      return { status: "stored", result };
    });
    if (outcome.status === "stored") await syncAlarm(this.ctx.storage);
    return outcome;
  }

  async listEvents(
    businessId: string,
    q: ListEventsQuery,
  ): Promise<{
    items: StoredEvent[];
    next: { time: number; seq: number } | null;
  }> {
    this.remember(businessId);
    return listEvents(this.sql, q);
  }

  async series(businessId: string, q: SeriesQuery): Promise<SeriesPoint[]> {
    this.remember(businessId);
    return series(this.sql, q);
  }

  /** Forgets everything: called when the business is deleted. */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.business = undefined;
    // Empty tables again, so a late request (an edge cache a few seconds behind) finds no broken object.
    migrate(this.sql);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let business: Business | undefined;
    try {
      business = await this.definition();
    } catch (error) {
      // The business was deleted while this object still had work planned.
      if (error instanceof ProblemError && error.status === 404) return this.destroy();
      throw error;
    }
    if (!business) return;
    for (const job of dueJobs(this.sql, now, 100)) {
      try {
        await this.run(job.kind, business, now);
      } catch (error) {
        console.error(`business ${business.id}: ${job.kind} failed, retrying`, error);
        scheduleAt(this.sql, job.kind, job.key, now + RETRY_MS);
      }
    }
    await syncAlarm(this.ctx.storage);
  }

  private async run(kind: string, business: Business, now: number): Promise<void> {
    switch (kind) {
      case "archive": {
        const more = await flushArchive(this.ctx.storage, this.env.ARCHIVE, business.id);
        if (more) scheduleAt(this.sql, "archive", "", now);
        else unschedule(this.sql, "archive");
        return;
      }
      case "analytics":
        writeAnalytics(this.sql, this.env.EVENTS, business);
        unschedule(this.sql, "analytics");
        return;
      case "prune": {
        const more = pruneEvents(this.sql, business.retention, now);
        scheduleAt(this.sql, "prune", "", more ? now : now + PRUNE_INTERVAL_MS);
        return;
      }
      default:
        console.warn(`business ${business.id}: unknown job ${kind} dropped`);
        unschedule(this.sql, kind);
    }
  }

  private archivedSeq(): number {
    return Number(getMeta(this.sql, "archived_seq") ?? 0);
  }

  private remember(businessId: string): void {
    if (getMeta(this.sql, "business_id") !== businessId)
      setMeta(this.sql, "business_id", businessId);
  }

  /**
   * The business's definition, reloaded from D1 when the caller saw a newer
   * version than the one held here (or after eviction, from the stored id).
   */
  private async definition(businessId?: string, version?: number): Promise<Business | undefined> {
    const id = businessId ?? getMeta(this.sql, "business_id");
    if (!id) return undefined;
    if (this.business && (version === undefined || this.business.version >= version))
      return this.business;
    this.business = await getBusiness(database(this.env.DB), id);
    this.remember(id);
    return this.business;
  }
}
