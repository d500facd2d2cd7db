import { z } from "@hono/zod-openapi";
import { FieldName, Timestamp } from "./common";

export const groupStatuses = ["down", "anomalous", "late", "up"] as const;
export type GroupStatus = (typeof groupStatuses)[number];

export const GroupsQuery = z.object({
  by: FieldName.optional().openapi({
    description:
      "The field whose values are the groups; default: the groupBy of the business's rules (absence rules first)",
  }),
  q: z.string().max(200).optional().openapi({ description: "Only keys containing this text" }),
  status: z.enum(groupStatuses).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, "is not a cursor this API gave out")
    .optional()
    .openapi({ description: "nextCursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GroupRow = z
  .object({
    key: z.string(),
    status: z.enum(groupStatuses),
    lastSeen: Timestamp.nullable(),
    activeAlerts: z.number().int(),
    /** Events per hour over the last 24 hours, oldest first. */
    perHour: z.array(z.number().int()),
  })
  .openapi("GroupRow");
export type GroupRow = z.infer<typeof GroupRow>;

export const GroupList = z
  .object({
    by: z.string().nullable(),
    /** Groups per status over all keys (before search and paging). */
    counts: z.object({
      down: z.number().int(),
      anomalous: z.number().int(),
      late: z.number().int(),
      up: z.number().int(),
    }),
    /** Keys matching the search and status filter. */
    total: z.number().int(),
    items: z.array(GroupRow),
    nextCursor: z.string().nullable(),
  })
  .openapi("GroupList");
export type GroupList = z.infer<typeof GroupList>;
