import type { Context } from "hono";
import type { IngestOutcome } from "../../business/rpc";
import { keyReused, noneAccepted, sortEvents, store, toMessage } from "../../ingest/accept";
import { isNdjson, parseEvents, readBody } from "../../ingest/body";
import {
  COALESCE_MAX_BYTES,
  COALESCE_MAX_EVENTS,
  coalesceThreshold,
  markBusy,
  shouldCoalesce,
} from "../../ingest/coalesce";
import { storeJoined } from "../../ingest/group";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../../ingest/limits";
import { sha256Hex } from "../../lib/crypto";
import { badRequest } from "../../lib/errors";
import type { AppEnv } from "../context";
import { authorizeSource } from "./source";

/** POST /v1/ingest/{businessId}: authenticate, validate each event, hand the valid ones to the business's DO. */
export async function ingest(c: Context<AppEnv>): Promise<Response> {
  const receivedAt = Date.now();
  const auth = await authorizeSource(c);
  const businessId = auth.business.id;

  const idempotencyKey = c.req.header("idempotency-key");
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
  ) {
    throw badRequest(`Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
  }
  const text = await readBody(c.req.raw);
  const raw = parseEvents(text, isNdjson(c.req.header("content-type")));
  const sorted = sortEvents(auth, raw, receivedAt);
  if (sorted.events.length === 0) throw noneAccepted(sorted.rejected);

  const busy = shouldCoalesce(businessId, receivedAt, coalesceThreshold(c.env.COALESCE_ABOVE_RPS));
  if (
    busy &&
    idempotencyKey === undefined &&
    sorted.events.length <= COALESCE_MAX_EVENTS &&
    text.length <= COALESCE_MAX_BYTES
  ) {
    // Durable once `send` resolves; the Queue consumer hands it to the object (see ingest/coalesce.ts).
    const message = toMessage(auth, crypto.randomUUID(), receivedAt, sorted);
    await c.env.INGEST.send(message, { contentType: "json" });
    return c.json({ accepted: sorted.events.length, rejected: sorted.rejected }, 202, {
      "ingest-path": "coalesced",
    });
  }

  if (
    idempotencyKey === undefined &&
    sorted.events.length <= COALESCE_MAX_EVENTS &&
    text.length <= COALESCE_MAX_BYTES
  ) {
    // Stored alone when nothing is in flight, else in one call with the others (ingest/group.ts).
    const joined = await storeJoined(c.env, auth, receivedAt, sorted, (p) =>
      c.executionCtx.waitUntil(p),
    );
    if (joined.path === "grouped") {
      if (joined.busy) markBusy(businessId, Date.now());
      return c.json(joined.result, 202, { "ingest-path": "grouped" });
    }
    return answerDirect(c, businessId, joined.outcome);
  }

  const outcome = await store(c.env, auth, receivedAt, sorted, {
    idempotency: idempotencyKey
      ? { key: idempotencyKey, bodyHash: await sha256Hex(text) }
      : undefined,
  });
  return answerDirect(c, businessId, outcome);
}

/** The answer to a request the object stored alone. */
function answerDirect(c: Context<AppEnv>, businessId: string, outcome: IngestOutcome): Response {
  if (outcome.status === "key-reused") return keyReused();
  if (outcome.status === "stored" && outcome.busy) markBusy(businessId, Date.now());
  const headers = outcome.status === "replayed" ? { "idempotent-replayed": "true" } : undefined;
  return c.json(outcome.result, 202, headers);
}
