import { toDeltas } from "./counters";
import type { RuleEngine } from "./engine/engine";
import { insertEvents, insertReceived, keepUnseen, type ReceivedEvent } from "./events";
import type { HousekeepingPlan } from "./housekeeping";
import { trackJobRun } from "./job-runs";
import type {
  CoalescedMessage,
  GroupedRequest,
  IngestBatch,
  IngestOutcome,
  StoredResult,
} from "./rpc";
import type { SpanOutbox } from "./shards/outbox";

/**
 * Direct ingest requests per second (from every edge together) above which the
 * object tells the edge to coalesce: a quarter of the ~1,000 requests/s an
 * object serves, so it keeps headroom for reads, alarms and bursts.
 */
export const BUSY_RPS = 250;

/**
 * Inside the ingest transaction: answers a seen idempotency key from what was
 * stored for it, else stores the batch's events and evaluates the rules on them.
 */
export function storeBatch(
  sql: SqlStorage,
  engine: RuleEngine,
  housekeeping: HousekeepingPlan,
  batch: IngestBatch,
  outbox?: SpanOutbox,
): IngestOutcome {
  if (batch.idempotency) {
    const seen = sql
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
  }
  // Only a batch that will be stored marks its events' keys as seen.
  const events = keepUnseen(sql, batch.events, batch.receivedAt);
  const duplicates = batch.events.length - events.length;
  const result: StoredResult = {
    accepted: events.length,
    rejected: batch.rejected,
    ...(duplicates ? { duplicates } : {}),
  };
  if (batch.idempotency) {
    sql.exec(
      `insert into idempotency (key, body_hash, response, created) values (?, ?, ?, ?)`,
      batch.idempotency.key,
      batch.idempotency.bodyHash,
      JSON.stringify(result),
      batch.receivedAt,
    );
  }
  // Every event was stored before (its key was seen): nothing to write.
  if (events.length === 0) return { status: "stored", result };
  const ping = events[0];
  if (batch.job && ping) trackJobRun(sql, batch.job, ping, batch.receivedAt);
  if (batch.counters) toDeltas(sql, batch.counters, events);
  const { lastSeq } = insertEvents(sql, events, batch.receivedAt, batch.sourceId);
  const now = Date.now();
  engine.noteIngest(batch.receivedAt, now);
  engine.process(events, now);
  outbox?.collect(sql, events, batch.receivedAt, now);
  housekeeping.plan(lastSeq, now, engine.business.retention.maxEvents);
  return { status: "stored", result };
}

/**
 * Inside one transaction: stores the requests the ingest Queue delivered, each
 * once by its id (a redelivered message is skipped), one statement per table
 * however many requests, and evaluates the rules on the new events.
 */
export function storeCoalesced(
  sql: SqlStorage,
  engine: RuleEngine,
  housekeeping: HousekeepingPlan,
  messages: CoalescedMessage[],
  outbox?: SpanOutbox,
): void {
  const now = Date.now();
  const fresh = new Set(
    sql
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
  const { lastSeq } = insertReceived(sql, events);
  const received = Math.max(...events.map((e) => e.received));
  engine.noteIngest(received, now);
  engine.process(events, now);
  outbox?.collect(sql, events, received, now);
  housekeeping.plan(lastSeq, now, engine.business.retention.maxEvents);
}

/**
 * Inside one transaction: stores a group of concurrent small requests from one
 * edge (ingest/group.ts), one statement for all their events, with the direct
 * path's per-event key dedup applied request by request in the group's order.
 * Returns each request's result.
 */
export function storeGroup(
  sql: SqlStorage,
  engine: RuleEngine,
  housekeeping: HousekeepingPlan,
  requests: GroupedRequest[],
  outbox?: SpanOutbox,
): StoredResult[] {
  const events: ReceivedEvent[] = [];
  const results = requests.map((r): StoredResult => {
    const kept = keepUnseen(sql, r.events, r.receivedAt);
    for (const e of kept) events.push({ ...e, received: r.receivedAt, source: r.sourceId });
    const duplicates = r.events.length - kept.length;
    return { accepted: kept.length, rejected: r.rejected, ...(duplicates ? { duplicates } : {}) };
  });
  if (events.length === 0) return results;
  const { lastSeq } = insertReceived(sql, events);
  const now = Date.now();
  const received = Math.max(...events.map((e) => e.received));
  engine.noteIngest(received, now);
  engine.process(events, now);
  outbox?.collect(sql, events, received, now);
  housekeeping.plan(lastSeq, now, engine.business.retention.maxEvents);
  return results;
}
