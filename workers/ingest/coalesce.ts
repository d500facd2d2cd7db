import { PerSecond } from "../lib/rate";

/**
 * Coalesced ingest. Under load, single events reach a business's Durable Object
 * through the ingest Queue in batches instead of one RPC each. A request is
 * acknowledged (202) once `send` resolved, which is when the Queue holds the
 * message durably; the consumer hands batches to the object, which stores each
 * message once by its `id` (a redelivered message counts once).
 *
 * Which path a request takes, per business:
 * - direct (today's path, events readable at once) unless the business is busy;
 * - busy when this isolate saw more than `COALESCE_ABOVE_RPS` of its requests in
 *   the current or the previous second, or when its Durable Object said so in an
 *   answer during the last `BUSY_HOLD_MS` (the object counts the requests from
 *   every isolate, which one isolate alone cannot see).
 * Requests with an Idempotency-Key, and large ones, always go direct: batches
 * already amortise the RPC, and a replayed key needs the object's answer.
 */

export const INGEST_QUEUE = "anom-ingest";
/** Larger requests go direct: they amortise the RPC already, and a message holds at most 128 KB. */
export const COALESCE_MAX_EVENTS = 100;
export const COALESCE_MAX_BYTES = 64 * 1024;
/** How long an edge keeps coalescing after the object said it is busy. */
export const BUSY_HOLD_MS = 10_000;
/** Businesses tracked per isolate; the oldest are forgotten past this. */
const TRACKED = 10_000;

interface Rate {
  requests: PerSecond;
  busyUntil: number;
}

const rates = new Map<string, Rate>();

function rateOf(businessId: string): Rate {
  let rate = rates.get(businessId);
  if (!rate) {
    if (rates.size >= TRACKED) rates.delete(rates.keys().next().value as string);
    rate = { requests: new PerSecond(), busyUntil: 0 };
    rates.set(businessId, rate);
  }
  return rate;
}

/** Counts a request for the business and says whether it should be coalesced. */
export function shouldCoalesce(businessId: string, now: number, aboveRps: number): boolean {
  const rate = rateOf(businessId);
  return rate.requests.count(now) > aboveRps || rate.busyUntil > now;
}

/** The object answered that it is busy: coalesce this business's requests for a while. */
export function markBusy(businessId: string, now: number): void {
  rateOf(businessId).busyUntil = now + BUSY_HOLD_MS;
}

/** `COALESCE_ABOVE_RPS`: a number of requests per second, or "off" (never by rate). */
export function coalesceThreshold(setting: string | undefined): number {
  const n = Number(setting);
  return setting === undefined || setting === "off" || !Number.isFinite(n) ? Infinity : n;
}
