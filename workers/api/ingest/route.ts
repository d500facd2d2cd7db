import { createRoute, z } from "@hono/zod-openapi";
import { IngestResult } from "../../../schema/contracts/events";
import {
  MAX_BODY_BYTES,
  MAX_EVENTS_PER_REQUEST,
  MAX_FUTURE_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_KEY_LENGTH,
  MAX_KEYS_PER_EVENT,
  MAX_STRING_LENGTH,
} from "../../ingest/limits";
import { MAX_TIME_MS } from "../../lib/time";
import { problems } from "../openapi";

const Value = z.union([z.string().max(MAX_STRING_LENGTH), z.number(), z.boolean(), z.null()]);

const Event = z.record(z.string().max(MAX_KEY_LENGTH), Value).openapi("IngestEvent", {
  description: `A flat object keyed by the business's field names: at most ${MAX_KEYS_PER_EVENT} fields, names of at most ${MAX_KEY_LENGTH} characters, strings of at most ${MAX_STRING_LENGTH} characters, finite numbers. Times are RFC 3339 or epoch milliseconds (1970 to ${new Date(MAX_TIME_MS).getUTCFullYear()}), at most ${MAX_FUTURE_MS / 60_000} minutes ahead.`,
  maxProperties: MAX_KEYS_PER_EVENT,
  example: {
    timestamp: "2026-11-24T10:00:00Z",
    routeId: "SFTP-BANK-A",
    durationMs: 812,
    status: "OK",
  },
});

/** Documents the ingest route; the body is parsed by hand because it may be NDJSON. */
export const ingestRoute = createRoute({
  method: "post",
  path: "/v1/ingest/{businessId}",
  tags: ["Ingest"],
  summary: "Send events: one object, a JSON array, or NDJSON",
  description: `At most ${MAX_BODY_BYTES} bytes and ${MAX_EVENTS_PER_REQUEST} events per request (see docs/ingest.md for every limit). Every accepted event is durable before the response. Send an \`Idempotency-Key\` header to make a retried request count once (keys are remembered for 24 hours).`,
  security: [{ sourceToken: [] }],
  request: {
    params: z.object({
      businessId: z
        .string()
        .max(64)
        .openapi({ param: { name: "businessId", in: "path" } }),
    }),
    headers: z.object({
      "idempotency-key": z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH).optional(),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.union([Event, z.array(Event).max(MAX_EVENTS_PER_REQUEST)]),
        },
        "application/x-ndjson": { schema: z.string().openapi({ description: "One event a line" }) },
      },
    },
  },
  responses: {
    202: {
      description: "At least one event was accepted; `rejected` lists the others",
      content: { "application/json": { schema: IngestResult } },
    },
    ...problems(400, 401, 403, 404, 413, 422),
  },
});
