import { createRoute, z } from "@hono/zod-openapi";
import { IngestResult } from "../../../schema/contracts/events";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST, MAX_PING_BODY_BYTES } from "../../ingest/limits";
import {
  KEY_MEMBER,
  MAX_FRAME_BYTES,
  STREAM_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  WINDOW_BYTES,
  WINDOW_FRAMES,
} from "../../ingest/stream-protocol";
import { problems } from "../openapi";

const BusinessParam = z.object({
  businessId: z
    .string()
    .max(64)
    .openapi({ param: { name: "businessId", in: "path" } }),
});

const CloudEvent = z
  .object({
    specversion: z.literal("1.0"),
    id: z.string().min(1),
    source: z.string().min(1),
    type: z.string().min(1),
    subject: z.string().optional(),
    time: z.string().optional(),
    datacontenttype: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("CloudEvent", {
    description:
      "`data` holds the event's fields; `time` fills the business's time field when `data` has none; `type`, `source` and `subject` fill declared fields of those names",
  });

export const cloudEventsRoute = createRoute({
  method: "post",
  path: "/v1/cloudevents/{businessId}",
  tags: ["Ingest"],
  summary: "Send CloudEvents 1.0 (structured, batched or binary mode)",
  description: `Structured mode (\`application/cloudevents+json\`), batched mode (\`application/cloudevents-batch+json\`, at most ${MAX_EVENTS_PER_REQUEST} events) or binary mode (\`ce-specversion\`, \`ce-id\`, \`ce-source\`, \`ce-type\` headers, the JSON body is \`data\`), at most ${MAX_BODY_BYTES} bytes. A single event with a \`source\` and \`id\` already accepted is accepted once. Answers like \`/v1/ingest\`.`,
  security: [{ sourceToken: [] }],
  request: {
    params: BusinessParam,
    headers: z.object({ "idempotency-key": z.string().min(1).max(255).optional() }),
    body: {
      required: true,
      content: {
        "application/cloudevents+json": { schema: CloudEvent },
        "application/cloudevents-batch+json": { schema: z.array(CloudEvent) },
        "application/json": {
          schema: z
            .record(z.string(), z.unknown())
            .openapi({ description: "Binary mode: the data" }),
        },
      },
    },
  },
  responses: {
    202: {
      description: "At least one event was accepted; `rejected` lists the others",
      content: { "application/json": { schema: IngestResult } },
    },
    ...problems(400, 401, 403, 404, 413, 415, 422),
  },
});

const plain = (description: string) => ({
  description,
  content: { "text/plain": { schema: z.string() } },
});

/** Documents one heartbeat ping URL shape (Healthchecks' slug URLs). */
function pingRoute(method: "get" | "post" | "head", suffix: string, what: string) {
  return createRoute({
    method,
    path: `/ping/{sourceToken}/{slug}${suffix}`,
    tags: ["Heartbeat pings"],
    summary: `Heartbeat ping: ${what}`,
    description: `Compatible with Healthchecks' slug URLs: point a cron job's ping base URL at \`/ping/{sourceToken}\`. One ping is one event of the token's business (fields \`slug\`, \`kind\`, \`exitCode\`, \`durationMs\`, \`log\`; see the \`jobs\` template). A POST body is kept as \`log\` up to ${MAX_PING_BODY_BYTES} bytes (the rest is cut). \`?rid=\` tells overlapping runs apart. Answers \`OK\` as plain text; \`not found\` (404) for an unknown token or URL.`,
    request: {
      params: z.object({
        sourceToken: z.string().openapi({ param: { name: "sourceToken", in: "path" } }),
        slug: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,100}$/)
          .openapi({ param: { name: "slug", in: "path" } }),
        ...(suffix === "/{exitCode}"
          ? {
              exitCode: z
                .string()
                .regex(/^\d{1,3}$/)
                .openapi({
                  param: { name: "exitCode", in: "path" },
                  description: "0 is success, 1-255 failure",
                }),
            }
          : {}),
      }),
      query: z.object({ rid: z.string().max(64).optional() }),
    },
    responses: {
      200: plain("OK: the ping is stored"),
      404: plain("not found: unknown token or URL"),
      ...problems(400, 422),
    },
  });
}

export const pingRoutes = (["get", "post", "head"] as const).flatMap((method) => [
  pingRoute(method, "", "success"),
  pingRoute(method, "/start", "the run started"),
  pingRoute(method, "/fail", "the run failed"),
  pingRoute(method, "/log", "a log message (changes nothing)"),
  pingRoute(method, "/{exitCode}", "the run ended with this exit code"),
]);

const OtlpStatus = z
  .object({ code: z.number().int(), message: z.string() })
  .openapi("OtlpStatus", { description: "google.rpc.Status, as OTLP/HTTP answers failures" });

function otlpRoute(signal: "logs" | "metrics") {
  const rejected = signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints";
  const otlpError = (description: string) => ({
    description,
    content: {
      "application/json": { schema: OtlpStatus },
      "application/x-protobuf": { schema: z.string().openapi({ format: "binary" }) },
    },
  });
  return createRoute({
    method: "post",
    path: `/v1/otlp/{businessId}/v1/${signal}`,
    tags: ["Ingest"],
    summary: `OpenTelemetry OTLP/HTTP ${signal} (JSON or protobuf)`,
    description: `Point an OpenTelemetry exporter's base URL at \`/v1/otlp/{businessId}\` with the source token as \`Authorization: Bearer\`. ${signal === "logs" ? "Each log record" : "Each metric data point"} becomes an event (mapping in docs/integrations.md); those the business's fields do not fit are counted in \`partialSuccess\` with the first problems named. At most ${MAX_BODY_BYTES} bytes (gzip allowed) and ${MAX_EVENTS_PER_REQUEST} ${signal === "logs" ? "records" : "points"}.`,
    security: [{ sourceToken: [] }],
    request: {
      params: BusinessParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.record(z.string(), z.unknown()).openapi({
              description: `Export${signal === "logs" ? "Logs" : "Metrics"}ServiceRequest`,
            }),
          },
          "application/x-protobuf": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
    },
    responses: {
      200: {
        description: "Stored; partialSuccess counts what was rejected",
        content: {
          "application/json": {
            schema: z.object({
              partialSuccess: z
                .object({ [rejected]: z.string(), errorMessage: z.string() })
                .optional(),
            }),
          },
          "application/x-protobuf": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
      400: otlpError("Not an OTLP request"),
      401: otlpError("Missing or wrong token"),
      403: otlpError("The token is not valid for this business"),
      404: otlpError("Unknown business"),
      413: otlpError("The body is too large"),
      415: otlpError("Neither JSON nor protobuf"),
    },
  });
}

export const otlpRoutes = [otlpRoute("logs"), otlpRoute("metrics")];

export const streamRoute = createRoute({
  method: "get",
  path: "/v1/stream/{businessId}",
  tags: ["Ingest"],
  summary: "Stream events over a WebSocket (NDJSON frames, one ack per frame)",
  description: `Upgrade to a WebSocket with the source token as \`Authorization: Bearer\`, or (browsers) offer the subprotocols \`${STREAM_PROTOCOL}\` and \`${TOKEN_PROTOCOL_PREFIX}<token>\`. The server first sends \`{"ready":{window, windowBytes, maxFrameBytes, maxEventsPerFrame}}\`. Each text frame is NDJSON (at most ${MAX_FRAME_BYTES} bytes); a first line \`{"${KEY_MEMBER}":"…"}\` names the frame so a resent frame is stored once. Each frame gets one ack: \`{"ack": <frame number>, "key", "status": 202, "accepted", "rejected"}\`, or problem details with \`ack\` and \`key\` (400 malformed, 413 too large, 415 binary, 422 nothing accepted; 429 past the window of ${WINDOW_FRAMES} unacknowledged frames or ${WINDOW_BYTES} bytes and 503: not taken, resend). See docs/integrations.md#stream.`,
  security: [{ sourceToken: [] }],
  request: {
    params: BusinessParam,
    headers: z.object({
      upgrade: z.literal("websocket"),
      "sec-websocket-protocol": z.string().optional(),
    }),
  },
  responses: {
    101: { description: "Switching Protocols: the stream is open" },
    ...problems(400, 401, 403, 404, 426),
  },
});
