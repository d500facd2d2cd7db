import type { IngestResult } from "../../schema/contracts/events";
import type { Counter } from "../business/counters";
import type { NewEvent } from "../business/events";
import type { JobPing } from "../business/job-runs";
import type { CoalescedMessage, IngestBatch, IngestOutcome } from "../business/rpc";
import { monitorOf } from "../definitions/monitor";
import { problemBody, problemResponse, unprocessable } from "../lib/errors";
import type { IngestAuth } from "./auth";
import type { RawEvent } from "./body";
import { ingestCoalescedSharded, ingestSharded } from "./sharded";

export interface Sorted {
  events: NewEvent[];
  rejected: IngestResult["rejected"];
}

/** Validates each item against the business's fields; `index` is its position in the request. */
export function sortEvents(auth: IngestAuth, raw: RawEvent[], receivedAt: number): Sorted {
  const events: NewEvent[] = [];
  const rejected: IngestResult["rejected"] = [];
  raw.forEach((item, index) => {
    const result = auth.validate(item, receivedAt);
    if (result.ok) events.push({ time: result.time, data: result.data });
    else rejected.push({ index, errors: result.errors });
  });
  return { events, rejected };
}

/** The 422 problem for a request none of whose events was accepted (same body shape as a 202). */
export function noneAccepted(rejected: IngestResult["rejected"]) {
  const first = rejected[0]?.errors[0];
  const detail = `No event was accepted${first ? ` (first problem: ${first.path} ${first.message})` : ""}.`;
  const errors = rejected.flatMap((r) =>
    r.errors.map((e) => ({ path: `${r.index}.${e.path}`, message: e.message })),
  );
  return unprocessable(detail, errors, { accepted: 0, rejected });
}

export interface StoreOptions {
  idempotency?: { key: string; bodyHash: string } | undefined;
  job?: JobPing | undefined;
  counters?: Counter[] | undefined;
}

/**
 * Hands validated events to the business's Durable Object, the one path every
 * way in shares: they are durable when this returns.
 */
export function store(
  env: Env,
  auth: IngestAuth,
  receivedAt: number,
  sorted: Sorted,
  options: StoreOptions = {},
): Promise<IngestOutcome> {
  const businessId = auth.business.id;
  const batch: IngestBatch = {
    businessId,
    version: auth.business.version,
    sourceId: auth.sourceId,
    receivedAt,
    events: sorted.events,
    rejected: sorted.rejected,
    idempotency: options.idempotency,
    job: options.job,
    counters: options.counters,
  };
  if (auth.business.shards > 1) return ingestSharded(env, batch, auth.business);
  return monitorOf(env, businessId).ingest(batch);
}

/** One request as the object stores it once by `id`: an ingest Queue message, a stream frame. */
export function toMessage(
  auth: IngestAuth,
  id: string,
  receivedAt: number,
  sorted: Sorted,
): CoalescedMessage {
  return {
    id,
    businessId: auth.business.id,
    version: auth.business.version,
    sourceId: auth.sourceId,
    receivedAt,
    ...sorted,
    // A sharded business's layout as accepted: the consumer splits by it (ingest/sharded.ts).
    layout:
      auth.business.shards > 1
        ? { shards: auth.business.shards, shardKey: auth.business.shardKey }
        : undefined,
  };
}

/**
 * Hands several requests to the business's object in one call (one
 * transaction), each stored once by its id: durable when this returns.
 */
export function storeMany(env: Env, auth: IngestAuth, messages: CoalescedMessage[]) {
  const businessId = auth.business.id;
  if (auth.business.shards > 1)
    return ingestCoalescedSharded(env, businessId, messages, auth.business);
  return monitorOf(env, businessId).ingestCoalesced(businessId, messages);
}

/** The answer to a retried request whose Idempotency-Key came with another body. */
export function keyReused(): Response {
  return problemResponse(
    problemBody(
      422,
      "Unprocessable Content",
      "This Idempotency-Key was already used with a different body.",
      [{ path: "Idempotency-Key", message: "was already used with a different body" }],
    ),
  );
}
