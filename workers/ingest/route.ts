import { createRoute, z } from "@hono/zod-openapi";
import { IngestResult } from "../../schema/contracts/events";
import { problems } from "../api/openapi";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from "./limits";

const Event = z.record(z.string(), z.unknown()).openapi("IngestEvent", {
  description: "A flat object keyed by the business's field names",
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
  description: `At most ${MAX_BODY_BYTES} bytes and ${MAX_EVENTS_PER_REQUEST} events per request. Every accepted event is durable before the response. Send an \`Idempotency-Key\` header to make a retried request count once (keys are remembered for 24 hours).`,
  security: [{ sourceToken: [] }],
  request: {
    params: z.object({
      businessId: z.string().openapi({ param: { name: "businessId", in: "path" } }),
    }),
    headers: z.object({ "idempotency-key": z.string().max(255).optional() }),
    body: {
      required: true,
      content: {
        "application/json": { schema: z.union([Event, z.array(Event)]) },
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
