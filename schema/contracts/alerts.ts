import { z } from "@hono/zod-openapi";
import { Cursor, Limit, Timestamp } from "./common";
import { severities } from "./rules";

export const alertStatuses = ["open", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof alertStatuses)[number];

export const Alert = z
  .object({
    id: z.string(),
    businessId: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    groupKey: z.string(),
    status: z.enum(alertStatuses),
    severity: z.enum(severities),
    summary: z.string().openapi({ example: "SFTP-BANK-A: no event for 20 min (last at 14:05)" }),
    openedAt: Timestamp,
    lastTriggeredAt: Timestamp,
    acknowledgedAt: Timestamp.nullable(),
    resolvedAt: Timestamp.nullable(),
    resolution: z.string().nullable().openapi({ description: "Why it was resolved" }),
    historical: z.boolean().openapi({
      description:
        "Opened by backfilled history (an event time over an hour before its receipt): listed, never notified",
    }),
    count: z.number().int(),
    eventTime: Timestamp.openapi({
      description: "Event time that opened the alert (absence: the deadline)",
    }),
    context: z.record(z.string(), z.unknown()),
    silenced: z
      .boolean()
      .openapi({ description: "A silence matches it: it notifies nobody while that lasts" }),
    inhibited: z.boolean().openapi({
      description: "An alert of a rule in its rule's `inhibitedBy` is open: it notifies nobody",
    }),
  })
  .openapi("Alert");
export type Alert = z.infer<typeof Alert>;

export const AlertsQuery = z.object({
  workspaceId: z.string().max(64).optional(),
  businessId: z.string().max(64).optional(),
  status: z
    .enum([...alertStatuses, "active"])
    .optional()
    .openapi({ description: "`active` means open or acknowledged" }),
  ruleId: z.string().max(64).optional(),
  severity: z.enum(severities).optional(),
  cursor: Cursor,
  limit: Limit,
});

export const AlertTransition = z
  .object({
    id: z.string().openapi({ description: "Stable id, also the webhook id" }),
    type: z.enum(["opened", "acknowledged", "resolved"]),
    at: Timestamp,
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("AlertTransition");
export type AlertTransition = z.infer<typeof AlertTransition>;

export const AlertWithHistory = Alert.extend({ history: z.array(AlertTransition) }).openapi(
  "AlertWithHistory",
);

export const AlertSnooze = z
  .object({
    for: z
      .string()
      .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 30m, 1h or 1d")
      .openapi({ example: "1h" }),
    comment: z.string().max(1000).optional(),
    createdBy: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi("AlertSnooze");
export type AlertSnooze = z.infer<typeof AlertSnooze>;
