import type { Context } from "hono";
import type { IngestResult } from "../../../schema/contracts/events";
import type { NewEvent } from "../../business/events";
import type { CoalescedMessage } from "../../business/monitor";
import { monitorOf } from "../../definitions/monitor";
import { authorizeIngest } from "../../ingest/auth";
import { isNdjson, parseEvents, readBody } from "../../ingest/body";
import {
  COALESCE_MAX_BYTES,
  COALESCE_MAX_EVENTS,
  coalesceThreshold,
  markBusy,
  shouldCoalesce,
} from "../../ingest/coalesce";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../../ingest/limits";
import { sha256Hex } from "../../lib/crypto";
import { badRequest, problemBody, problemResponse, unprocessable } from "../../lib/errors";
import { bearerToken } from "../auth";
import type { AppEnv } from "../context";

/** POST /v1/ingest/{businessId}: authenticate, validate each event, hand the valid ones to the business's DO. */
export async function ingest(c: Context<AppEnv>): Promise<Response> {
  const businessId = c.req.param("businessId") ?? "";
  const receivedAt = Date.now();
  const auth = await authorizeIngest(
    c.var.db,
    bearerToken(c.req.header("authorization")),
    businessId,
  );

  const idempotencyKey = c.req.header("idempotency-key");
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
  ) {
    throw badRequest(`Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
  }
  const text = await readBody(c.req.raw);
  const raw = parseEvents(text, isNdjson(c.req.header("content-type")));

  const events: NewEvent[] = [];
  const rejected: IngestResult["rejected"] = [];
  raw.forEach((item, index) => {
    const result = auth.validate(item, receivedAt);
    if (result.ok) events.push({ time: result.time, data: result.data });
    else rejected.push({ index, errors: result.errors });
  });
  if (events.length === 0) {
    const first = rejected[0]?.errors[0];
    const detail = `No event was accepted${first ? ` (first problem: ${first.path} ${first.message})` : ""}.`;
    const errors = rejected.flatMap((r) =>
      r.errors.map((e) => ({ path: `${r.index}.${e.path}`, message: e.message })),
    );
    throw unprocessable(detail, errors, { accepted: 0, rejected });
  }

  const batch = {
    businessId,
    version: auth.business.version,
    sourceId: auth.sourceId,
    receivedAt,
    events,
    rejected,
  };
  const busy = shouldCoalesce(businessId, receivedAt, coalesceThreshold(c.env.COALESCE_ABOVE_RPS));
  if (
    busy &&
    idempotencyKey === undefined &&
    events.length <= COALESCE_MAX_EVENTS &&
    text.length <= COALESCE_MAX_BYTES
  ) {
    // Durable once `send` resolves; the Queue consumer hands it to the object (see ingest/coalesce.ts).
    const message: CoalescedMessage = { id: crypto.randomUUID(), ...batch };
    await c.env.INGEST.send(message, { contentType: "json" });
    return c.json({ accepted: events.length, rejected }, 202, { "ingest-path": "coalesced" });
  }

  const stub = monitorOf(c.env, businessId);
  const outcome = await stub.ingest({
    ...batch,
    idempotency: idempotencyKey
      ? { key: idempotencyKey, bodyHash: await sha256Hex(text) }
      : undefined,
  });
  if (outcome.status === "key-reused") {
    return problemResponse(
      problemBody(
        422,
        "Unprocessable Content",
        "This Idempotency-Key was already used with a different body.",
        [{ path: "Idempotency-Key", message: "was already used with a different body" }],
      ),
    );
  }
  if (outcome.status === "stored" && outcome.busy) markBusy(businessId, Date.now());
  const headers = outcome.status === "replayed" ? { "idempotent-replayed": "true" } : undefined;
  return c.json(outcome.result, 202, headers);
}
