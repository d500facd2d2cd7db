import { z } from "@hono/zod-openapi";
import { FieldName, Timestamp } from "./common";
import { seriesFns } from "./events";

export const Chart = z
  .object({
    title: z.string().max(200).optional(),
    field: FieldName.optional().openapi({ description: "Numeric field; not needed for count" }),
    fn: z.enum(seriesFns).default("avg"),
    bucket: z
      .string()
      .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 5m or 1h")
      .optional(),
    groupBy: FieldName.optional(),
  })
  .strict()
  .openapi("Chart");

export const ViewInput = z
  .object({
    charts: z.array(Chart).max(20).default([]),
    /** Columns of the recent-events table, in order; default all fields. */
    eventColumns: z.array(FieldName).max(50).optional(),
    /** Range the charts show by default. */
    range: z.enum(["1h", "6h", "24h", "7d", "30d"]).default("24h"),
  })
  .strict()
  .openapi("ViewInput");
export type ViewInput = z.infer<typeof ViewInput>;

export const View = ViewInput.extend({
  businessId: z.string(),
  updatedAt: Timestamp.nullable().openapi({
    description: "null while the view is the default one",
  }),
}).openapi("View");
export type View = z.infer<typeof View>;
