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

/** Every channel type; the notify worker keeps one provider per type (`workers/notify/providers.ts`). */
export const channelTypes = [
  "webhook",
  "slack",
  "email",
  "pagerduty",
  "teams",
  "ntfy",
  "alertmanager",
] as const;
export type ChannelType = (typeof channelTypes)[number];

/** Where a channel of these types delivers when it names no `url`: the provider's own service. */
export const defaultChannelUrls = {
  pagerduty: "https://events.pagerduty.com/v2/enqueue",
  ntfy: "https://ntfy.sh/",
} as const satisfies Partial<Record<ChannelType, string>>;

export const defaultChannelUrl = (type: ChannelType): string | undefined =>
  (defaultChannelUrls as Partial<Record<ChannelType, string>>)[type];

/** What a channel's stored target holds, whatever its type. */
export interface ChannelTarget {
  url?: string;
  to?: string;
  topic?: string;
}

/** A PagerDuty Events API v2 integration key (the docs call it the routing key). */
const RoutingKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{20,64}$/, "must be an Events API v2 integration key (32 letters and digits)")
  .openapi({ example: "e93facc04764012d7bfb002500d5d1a6" });
/** ntfy's own topic rule: letters, digits, `-` and `_`, at most 64. */
const Topic = z
  .string()
  .regex(/^[-_A-Za-z0-9]{1,64}$/, "must be 1-64 letters, digits, - or _")
  .openapi({ example: "anom-ops-7f3k2" });
const AccessToken = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .openapi({ description: "Sent as `Authorization: Bearer …`; never shown again" });

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
    z
      .object({
        type: z.literal("pagerduty"),
        routingKey: RoutingKey,
        url: Url.optional().openapi({
          description:
            "The Events API v2 endpoint (default `https://events.pagerduty.com/v2/enqueue`)",
        }),
        ...common,
      })
      .strict(),
    z
      .object({
        type: z.literal("teams"),
        url: Url.openapi({
          description: 'A Teams Workflows webhook URL ("When a Teams webhook request is received")',
          example: "https://prod-00.westeurope.logic.azure.com/workflows/…",
        }),
        ...common,
      })
      .strict(),
    z
      .object({
        type: z.literal("ntfy"),
        topic: Topic,
        url: Url.optional().openapi({
          description: "The ntfy server (default `https://ntfy.sh`)",
          example: "https://ntfy.example.com",
        }),
        token: AccessToken.optional(),
        ...common,
      })
      .strict(),
    z
      .object({
        type: z.literal("alertmanager"),
        url: Url.openapi({
          description: "The Alertmanager's base URL; alerts go to `{url}/api/v2/alerts`",
          example: "https://alertmanager.example.com",
        }),
        token: AccessToken.optional(),
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
    routingKey: RoutingKey.optional(),
    topic: Topic.optional(),
    token: AccessToken.nullable().optional(),
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
    type: z.enum(channelTypes),
    name: z.string(),
    url: z
      .string()
      .optional()
      .openapi({ description: "Where it delivers (the default endpoint when none was given)" }),
    to: z.string().optional(),
    topic: z.string().optional(),
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

export const ChannelTestRequest = z
  .object({
    type: z
      .enum(["alert.opened", "alert.acknowledged", "alert.resolved"])
      .default("alert.opened")
      .openapi({
        description:
          "Which transition of the test alert to send; the test alert's id is the same on every test of a channel, so `alert.resolved` closes what `alert.opened` opened (a PagerDuty incident; an Alertmanager alert of the same severity, which is one of its labels)",
      }),
    severity: z.enum(severities).default("warning"),
  })
  .strict()
  .openapi("ChannelTestRequest");
export type ChannelTestRequest = z.infer<typeof ChannelTestRequest>;

export const ChannelTestResult = z
  .object({
    deliveryId: z.string().openapi({ description: "The attempt, also in the delivery log" }),
    alertId: z.string().openapi({ description: "The test alert's id (PagerDuty's `dedup_key`)" }),
    type: z.string().openapi({ example: "alert.opened" }),
    outcome: z.enum(["delivered", "failed", "dead"]),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    latencyMs: z.number().int().nullable(),
  })
  .openapi("ChannelTestResult");
export type ChannelTestResult = z.infer<typeof ChannelTestResult>;
