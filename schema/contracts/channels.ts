import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";
import { severities } from "./rules";

const Url = z
  .string()
  .max(2000)
  .url("must be an http(s) URL")
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL")
  .openapi({ example: "https://example.com/hooks/anom" });
const Duration = z
  .string()
  .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 30m, 4h or 1d")
  .openapi({ description: "Re-notify an alert that stays open this often", example: "4h" });

const Grouping = z.string().regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 0s, 30s or 5m");

const common = {
  name: z.string().trim().max(200).optional(),
  severities: z
    .array(z.enum(severities))
    .min(1)
    .max(3)
    .optional()
    .openapi({ description: "Only these severities; default all" }),
  renotifyAfter: Duration.optional(),
  groupWait: Grouping.optional().openapi({
    description:
      "Openings within this long after one this channel was sent are held and sent together as one `alert.group` (default `30s`; `0s` sends each alone)",
    example: "30s",
  }),
  groupInterval: Grouping.optional().openapi({
    description: "At least this long between two grouped messages of this channel (default `5m`)",
    example: "5m",
  }),
  enabled: z.boolean().default(true),
};

export const ChannelCreate = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("webhook"), url: Url, ...common }).strict(),
    z
      .object({
        type: z.literal("slack"),
        url: Url.openapi({ example: "https://hooks.slack.com/services/T000/B000/XXX" }),
        ...common,
      })
      .strict(),
    z
      .object({
        type: z.literal("email"),
        to: z.string().email("must be an email address").max(320),
        ...common,
      })
      .strict(),
  ])
  .openapi("ChannelCreate");
export type ChannelCreate = z.infer<typeof ChannelCreate>;

export const ChannelPatch = z
  .object({
    name: common.name,
    url: Url.optional(),
    to: z.string().email("must be an email address").max(320).optional(),
    severities: common.severities.nullable(),
    renotifyAfter: Duration.nullable().optional(),
    groupWait: common.groupWait.nullable(),
    groupInterval: common.groupInterval.nullable(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("ChannelPatch");
export type ChannelPatch = z.infer<typeof ChannelPatch>;

export const Channel = z
  .object({
    id: z.string(),
    businessId: z.string(),
    type: z.enum(["webhook", "slack", "email"]),
    name: z.string(),
    url: z.string().optional(),
    to: z.string().optional(),
    severities: z.array(z.enum(severities)).nullable(),
    renotifyAfter: z.string().nullable(),
    groupWait: z.string(),
    groupInterval: z.string(),
    enabled: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi("Channel");
export type Channel = z.infer<typeof Channel>;

export const ChannelCreated = Channel.extend({
  secret: z
    .string()
    .optional()
    .openapi({ description: "Webhook signing secret (`whsec_…`), shown only in this response" }),
}).openapi("ChannelCreated");
export type ChannelCreated = z.infer<typeof ChannelCreated>;

export const Delivery = z
  .object({
    id: z.string(),
    businessId: z.string(),
    channelId: z.string(),
    alertId: z.string(),
    transitionId: z.string().openapi({ description: "The webhook-id; the same on every attempt" }),
    type: z.string().openapi({ example: "alert.opened" }),
    attempt: z.number().int(),
    outcome: z.enum(["delivered", "failed", "dead"]),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    latencyMs: z.number().int().nullable(),
    createdAt: Timestamp,
  })
  .openapi("Delivery");
export type Delivery = z.infer<typeof Delivery>;
