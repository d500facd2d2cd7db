import { z } from "@hono/zod-openapi";
import { Cursor, FieldName, Timestamp } from "./common";

/** Events are flat: each field holds a JSON scalar. */
export const EventValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type EventValue = z.infer<typeof EventValue>;

export const EventError = z.object({ path: z.string(), message: z.string() });

export const IngestResult = z
  .object({
    accepted: z
      .number()
      .int()
      .openapi({ description: "Events stored (durably, before this response)" }),
    rejected: z.array(
      z.object({
        index: z
          .number()
          .int()
          .openapi({ description: "Position of the event in the request (0-based)" }),
        errors: z.array(EventError),
      }),
    ),
  })
  .openapi("IngestResult");
export type IngestResult = z.infer<typeof IngestResult>;

/** Most events `POST /v1/businesses/{id}/events` takes at once (the UI sends 1,000 a request). */
export const MAX_EVENTS_PER_ENTRY = 5000;
/** A per-event key's longest length. */
export const MAX_EVENT_KEY_LENGTH = 255;

/** Events entered by a signed-in person (the UI's form and file upload) rather than a source. */
export const EventsCreate = z
  .object({
    events: z
      .array(
        z.record(
          z.string().max(128),
          z.union([z.string().max(8192), z.number(), z.boolean(), z.null()]),
        ),
      )
      .min(1)
      .max(MAX_EVENTS_PER_ENTRY)
      .openapi({
        description: "Events as for ingest: flat objects keyed by the business's field names",
      }),
    keys: z.array(z.string().min(1).max(MAX_EVENT_KEY_LENGTH)).optional().openapi({
      description:
        "One idempotency key per event, in the same order: an event whose key was stored in the last 24 hours is not stored again (counted in `duplicates`)",
    }),
  })
  .strict()
  .refine((b) => b.keys === undefined || b.keys.length === b.events.length, {
    path: ["keys"],
    message: "must have one key per event",
  })
  .openapi("EventsCreate");

export const EventsCreated = IngestResult.extend({
  duplicates: z
    .number()
    .int()
    .openapi({ description: "Valid events not stored again: their key was already stored" }),
}).openapi("EventsCreated");
export type EventsCreated = z.infer<typeof EventsCreated>;

/** A timestamp query parameter: RFC 3339 or epoch milliseconds. */
const TimeParam = z
  .string()
  .max(40)
  .optional()
  .openapi({ description: "RFC 3339 time or epoch milliseconds", example: "2026-11-24T00:00:00Z" });

export const EventsQuery = z.object({
  from: TimeParam,
  to: TimeParam,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: Cursor,
  field: FieldName.optional().openapi({ description: "Only events whose `field` equals `value`" }),
  value: z.string().max(1000).optional(),
});

export const StoredEvent = z
  .object({
    id: z.string().openapi({ description: "Position of the event in the business's history" }),
    time: Timestamp.openapi({ description: "Event time" }),
    receivedAt: Timestamp,
    sourceId: z.string(),
    data: z.record(z.string(), EventValue),
  })
  .openapi("Event");
export type StoredEvent = z.infer<typeof StoredEvent>;

export const seriesFns = ["count", "sum", "avg", "min", "max"] as const;
export type SeriesFn = (typeof seriesFns)[number];

export const SeriesQuery = z.object({
  field: FieldName.optional().openapi({ description: "Numeric field; not needed for count" }),
  fn: z
    .enum(seriesFns)
    .optional()
    .openapi({ description: "Default: avg with a field, count without" }),
  bucket: z
    .string()
    .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 30s, 5m, 1h or 1d")
    .optional()
    .openapi({ description: "Bucket width; default fits about 120 buckets into the range" }),
  from: TimeParam,
  to: TimeParam,
  groupBy: FieldName.optional(),
  group: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Only the buckets of this value of groupBy (groupBy is required)" }),
});

export const SeriesPoint = z
  .object({
    time: Timestamp.openapi({ description: "Start of the bucket" }),
    group: z.string().optional(),
    value: z.number().nullable(),
    count: z.number().int().openapi({ description: "Events with the field in this bucket" }),
  })
  .openapi("SeriesPoint");
export type SeriesPoint = z.infer<typeof SeriesPoint>;

export const Series = z
  .object({
    field: z.string().nullable(),
    fn: z.enum(seriesFns),
    bucket: z.string(),
    from: Timestamp,
    to: Timestamp,
    groupBy: z.string().nullable(),
    items: z.array(SeriesPoint),
    incompleteBefore: Timestamp.nullable().openapi({
      description:
        "null when the series is complete. Otherwise buckets starting before this time may miss events the business's object has pruned (they are in the archive). Whole-hour buckets come from the hourly rollups and stay complete (grouped by a string, enum or boolean field: over the last 90 days, at most 1,000 values per hour); hours they do not cover are counted from the held events, and this is the end of the newest such hour that lost events. Sub-hour buckets are counted from the held events only, and this is the newest pruned event's time.",
    }),
    nextCursor: z.null(),
  })
  .openapi("Series");
export type Series = z.infer<typeof Series>;
