import { z } from "@hono/zod-openapi";
import { FieldName, Timestamp, Timezone } from "./common";

export const fieldTypes = ["string", "number", "integer", "boolean", "timestamp", "enum"] as const;
export type FieldType = (typeof fieldTypes)[number];

const fieldProps = {
  type: z.enum(fieldTypes),
  required: z.boolean().default(false),
  values: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: "Allowed values of an enum field" }),
  unit: z.string().max(32).optional(),
  description: z.string().max(500).optional(),
};

/** Cross-property rules of one field: an enum lists its values, others do not. */
function checkValues(f: { type: FieldType; values?: string[] | undefined }, ctx: z.RefinementCtx) {
  if (f.type === "enum" && !f.values) {
    ctx.addIssue({
      code: "custom",
      path: ["values"],
      message: "an enum field needs its list of values",
    });
  }
  if (f.type !== "enum" && f.values) {
    ctx.addIssue({ code: "custom", path: ["values"], message: "only enum fields have values" });
  }
  if (f.values && new Set(f.values).size !== f.values.length) {
    ctx.addIssue({ code: "custom", path: ["values"], message: "values must be unique" });
  }
}

export const FieldInput = z
  .object({ name: FieldName, ...fieldProps })
  .strict()
  .superRefine(checkValues)
  .openapi("FieldInput");
export type FieldInput = z.infer<typeof FieldInput>;

export const FieldPatch = z
  .object({
    type: fieldProps.type.optional(),
    required: z.boolean().optional(),
    values: fieldProps.values,
    unit: fieldProps.unit.nullable(),
    description: fieldProps.description.nullable(),
  })
  .strict()
  .openapi("FieldPatch");
export type FieldPatch = z.infer<typeof FieldPatch>;

export const Field = z
  .object({
    name: z.string(),
    type: z.enum(fieldTypes),
    required: z.boolean(),
    values: z.array(z.string()).optional(),
    unit: z.string().optional(),
    description: z.string().optional(),
  })
  .openapi("Field");
export type Field = z.infer<typeof Field>;

const Retention = z
  .object({
    days: z.number().int().min(1).max(3650).default(30),
    maxEvents: z.number().int().min(1000).max(10_000_000).default(1_000_000),
  })
  .strict()
  .openapi("Retention", {
    description: "How long and how many recent events the business keeps for queries",
  });

const businessProps = {
  name: z.string().trim().min(1).max(200).openapi({ example: "Camel Route Monitoring" }),
  description: z.string().max(2000),
  timezone: Timezone,
  timeField: FieldName.openapi({ description: "The field that holds the event time" }),
  allowUnknownFields: z
    .boolean()
    .openapi({ description: "Accept (and keep) fields that are not declared" }),
  retention: Retention,
  shards: z.number().int().min(1).max(64).openapi({
    description:
      "Durable Objects the business's events are spread over by a hash of `shardKey` (1 to 64)",
  }),
  shardKey: FieldName.openapi({
    description:
      "The field whose value picks an event's shard. Default: the field most of its rules group by",
    example: "deviceId",
  }),
};

/** The time field, when declared, must be a timestamp; field names are unique. */
export function checkFields(
  fields: { name: string; type: FieldType }[],
  timeField: string,
  ctx: z.RefinementCtx,
  path: (string | number)[] = ["fields"],
) {
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (seen.has(f.name)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, i, "name"],
        message: `duplicate field '${f.name}'`,
      });
    }
    seen.add(f.name);
    if (f.name === timeField && f.type !== "timestamp") {
      ctx.addIssue({
        code: "custom",
        path: [...path, i, "type"],
        message: `'${f.name}' is the time field, so its type must be timestamp`,
      });
    }
  });
}

/** The time field a business gets when it names none and declares no single timestamp field. */
export const IMPLICIT_TIME_FIELD = "timestamp";

/** The time field when the body names none: the one declared timestamp field, else `timestamp`. */
export function defaultTimeField(fields: { name: string; type: FieldType }[]): string {
  const stamps = fields.filter((f) => f.type === "timestamp");
  return stamps.length === 1 && stamps[0] ? stamps[0].name : IMPLICIT_TIME_FIELD;
}

/**
 * Why `timeField` cannot be the time field of these fields; undefined when it can.
 * It must be a declared timestamp field; only `timestamp` may stay undeclared,
 * and only while the business declares no timestamp field at all.
 */
export function timeFieldProblem(
  fields: { name: string; type: FieldType }[],
  timeField: string,
): string | undefined {
  const declared = fields.find((f) => f.name === timeField);
  if (declared) {
    return declared.type === "timestamp"
      ? undefined
      : `'${timeField}' is a ${declared.type} field, not a timestamp`;
  }
  const stamps = fields.filter((f) => f.type === "timestamp").map((f) => `'${f.name}'`);
  if (stamps.length > 0) {
    return `'${timeField}' is not a field of this business; its timestamp fields are ${stamps.join(", ")}`;
  }
  if (timeField === IMPLICIT_TIME_FIELD) return undefined;
  return `'${timeField}' is not a field of this business; declare it as a timestamp field first`;
}

export const BusinessCreate = z
  .object({
    workspaceId: z.string().min(1).max(64).optional().openapi({
      description: "The workspace it belongs to. Default: the API key's own workspace",
    }),
    name: businessProps.name,
    description: businessProps.description.default(""),
    timezone: businessProps.timezone.default("UTC"),
    timeField: businessProps.timeField.optional().openapi({
      description:
        "The field that holds the event time: a declared timestamp field. Default: the only declared timestamp field, else `timestamp`",
    }),
    allowUnknownFields: businessProps.allowUnknownFields.default(false),
    retention: Retention.default({ days: 30, maxEvents: 1_000_000 }),
    fields: z.array(FieldInput).max(200).default([]),
    shards: businessProps.shards.default(1),
    shardKey: businessProps.shardKey.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const timeField = b.timeField ?? defaultTimeField(b.fields);
    checkFields(b.fields, timeField, ctx);
    // A declared field of the wrong type is reported on the field by checkFields.
    if (b.fields.some((f) => f.name === timeField)) return;
    const problem = timeFieldProblem(b.fields, timeField);
    if (problem) ctx.addIssue({ code: "custom", path: ["timeField"], message: problem });
  })
  .openapi("BusinessCreate");
export type BusinessCreate = z.infer<typeof BusinessCreate>;

export const BusinessPatch = z
  .object({
    name: businessProps.name.optional(),
    description: businessProps.description.optional(),
    timezone: businessProps.timezone.optional(),
    timeField: businessProps.timeField.optional(),
    allowUnknownFields: businessProps.allowUnknownFields.optional(),
    retention: Retention.partial().optional(),
    shards: businessProps.shards.optional().openapi({
      description:
        'Refused (409) once the business has received events: see docs/capacity.md, "Changing the shard count"',
    }),
    shardKey: businessProps.shardKey.optional(),
  })
  .strict()
  .openapi("BusinessPatch");
export type BusinessPatch = z.infer<typeof BusinessPatch>;

export const Business = z
  .object({
    id: z.string().openapi({ example: "bus_01jz8k3m2qabcdefghjkmnpq" }),
    workspaceId: z.string(),
    name: z.string(),
    description: z.string(),
    timezone: z.string(),
    timeField: z.string(),
    allowUnknownFields: z.boolean(),
    retention: z.object({ days: z.number().int(), maxEvents: z.number().int() }),
    fields: z.array(Field),
    shards: z.number().int(),
    shardKey: z.string().nullable().openapi({ description: "null: not sharded, none named" }),
    version: z
      .number()
      .int()
      .openapi({ description: "Bumped on every change to the business or its fields" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Business");
export type Business = z.infer<typeof Business>;

/** A background job of the business's object whose last run failed; it retries with backoff. */
export const FailingJob = z
  .object({
    kind: z.string().openapi({
      description:
        "`index` (alert index), `notify` (notifications Queue), `archive` (R2), `replay`, `analytics`, `prune`",
      example: "archive",
    }),
    key: z.string(),
    attempts: z.number().int().openapi({ description: "Failed runs in a row" }),
    lastError: z.string(),
    retryAt: Timestamp,
  })
  .openapi("FailingJob");

export const BusinessStatus = z
  .object({
    failingJobs: z.array(FailingJob).openapi({
      description: "Empty when all is well; a job listed here keeps retrying, less often each time",
    }),
    storage: z
      .object({
        bytes: z.number().int().openapi({
          description: "Size of the object's SQLite database (of the largest shard when sharded)",
        }),
        events: z.number().int().openapi({ description: "Events kept in the object" }),
        pendingArchive: z
          .number()
          .int()
          .openapi({ description: "Kept events not yet archived to R2 (they cannot be pruned)" }),
      })
      .openapi({
        description:
          "What the business's object holds (limit: 10 GB per object); of all its shards when sharded",
      }),
  })
  .openapi("BusinessStatus");
export type BusinessStatus = z.infer<typeof BusinessStatus>;

export const BusinessSummary = z
  .object({
    business: Business,
    active: z
      .object({ info: z.number().int(), warning: z.number().int(), critical: z.number().int() })
      .openapi({ description: "Open and acknowledged alerts by severity" }),
    lastEventAt: Timestamp.nullable().openapi({ description: "Time of the latest event seen" }),
    perHour: z.array(z.number().int()).openapi({
      description: "Events per hour (by event time), oldest first; the last is the current hour",
    }),
  })
  .openapi("BusinessSummary");
export type BusinessSummary = z.infer<typeof BusinessSummary>;

export const BusinessSummaryList = z
  .object({
    items: z.array(BusinessSummary),
    nextCursor: z.string().nullable(),
    from: Timestamp.openapi({ description: "Start of the first hour in perHour" }),
  })
  .openapi("BusinessSummaryList");
export type BusinessSummaryList = z.infer<typeof BusinessSummaryList>;
