import type { Business } from "../../schema/contracts/businesses";
import type { Counter } from "../business/counters";
import type { NewEvent } from "../business/events";
import type { CoalescedMessage, IngestBatch, IngestOutcome } from "../business/rpc";
import { splitByShard } from "../business/shards/route";
import { monitorOf } from "../definitions/monitor";

/**
 * Ingest into a sharded business: a request's events are split by the hash of
 * their shard-key value (shards/route.ts) and each part goes to its shard, all
 * at once; the request is durable when every part is. Direct requests, pings,
 * OTLP, CloudEvents and the coalescing consumer all come through here.
 */

export type Layout = Pick<Business, "shards" | "shardKey">;

interface Part {
  events: NewEvent[];
  counters: Counter[] | undefined;
}

/** The events of one batch by shard, with their OTLP counters renumbered to the part. */
export function partsOf(events: NewEvent[], counters: Counter[] | undefined, layout: Layout) {
  const indexed = events.map((event, index) => ({ event, index }));
  const byIndex = new Map((counters ?? []).map((c) => [c.index, c]));
  const parts = new Map<number, Part>();
  for (const [shard, items] of splitByShard(indexed, (i) => i.event.data, layout)) {
    const part: Part = { events: items.map((i) => i.event), counters: undefined };
    if (counters) {
      part.counters = items.flatMap(({ index }, at) => {
        const c = byIndex.get(index);
        return c ? [{ ...c, index: at }] : [];
      });
    }
    parts.set(shard, part);
  }
  return parts;
}

/** A direct request's parts, each to its shard; one outcome as if one object had stored it. */
export async function ingestSharded(
  env: Env,
  batch: IngestBatch,
  layout: Layout,
): Promise<IngestOutcome> {
  const parts = [...partsOf(batch.events, batch.counters, layout)];
  const outcomes = await Promise.all(
    parts.map(([shard, part]) =>
      monitorOf(env, batch.businessId, shard).ingest({
        ...batch,
        events: part.events,
        counters: part.counters,
        // A ping is one event: it goes with its part.
        job: part.events.length ? batch.job : undefined,
      }),
    ),
  );
  const result = { accepted: batch.events.length, rejected: batch.rejected };
  if (outcomes.some((o) => o.status === "key-reused")) return { status: "key-reused" };
  // A retry finds every part stored: the first try's answer (it was this one).
  if (outcomes.every((o) => o.status === "replayed")) return { status: "replayed", result };
  const busy = outcomes.some((o) => o.status === "stored" && o.busy);
  return busy ? { status: "stored", result, busy: true } : { status: "stored", result };
}

/** Queued requests of a sharded business, split by shard: each shard stores its parts once by message id. */
export async function ingestCoalescedSharded(
  env: Env,
  businessId: string,
  messages: CoalescedMessage[],
  layout: Layout,
): Promise<"stored" | "business-deleted"> {
  const byShard = new Map<number, CoalescedMessage[]>();
  for (const m of messages) {
    for (const [shard, part] of partsOf(m.events, m.counters, layout)) {
      const list = byShard.get(shard) ?? [];
      list.push({ ...m, events: part.events, counters: part.counters });
      byShard.set(shard, list);
    }
  }
  const outcomes = await Promise.all(
    [...byShard].map(([shard, list]) =>
      monitorOf(env, businessId, shard).ingestCoalesced(businessId, list),
    ),
  );
  return outcomes.includes("business-deleted") ? "business-deleted" : "stored";
}
