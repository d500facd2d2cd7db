import { z } from "@hono/zod-openapi";
import { FieldName, Timestamp } from "./common";
import { SeriesQuery } from "./events";

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

const Duration = z
  .string()
  .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 30s, 20m, 1h or 7d")
  .openapi({ example: "20m" });
const Expression = z.string().trim().min(1).max(2000);

const common = {
  name: z.string().trim().min(1).max(200),
  where: Expression.optional().openapi({ description: "CEL filter: only matching events count" }),
  groupBy: FieldName.optional().openapi({ description: "Evaluate per value of this field" }),
  severity: z.enum(severities).default("warning"),
  enabled: z.boolean().default(true),
  channels: z
    .array(z.string().max(64))
    .max(50)
    .optional()
    .openapi({ description: "Channel ids; default all" }),
  for: Duration.optional().openapi({
    description: "The condition must hold this long before an alert opens (default `0s`: at once)",
    example: "2m",
  }),
  keepFiringFor: Duration.optional().openapi({
    description:
      "An alert stays open this long after its condition cleared; a new trigger meanwhile continues it (default `2m`)",
    example: "2m",
  }),
  inhibitedBy: z.array(z.string().min(1).max(64)).max(20).optional().openapi({
    description:
      "Rule ids: while an alert of one of them is open, this rule's alerts notify nobody",
  }),
};

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export const ActiveSchedule = z
  .union([
    z
      .string()
      .max(200)
      .openapi({ description: "Cron pattern of the active minutes, e.g. `* 6-21 * * 1-5`" }),
    z
      .object({
        days: z.array(z.enum(weekdays)).min(1).max(7).optional(),
        hours: z
          .string()
          .regex(/^([01]\d|2[0-3])-([01]\d|2[0-4])$/, "must be a range of hours like 06-22")
          .optional(),
      })
      .strict(),
  ])
  .openapi("ActiveSchedule", {
    description: "When the rule is active, in the business's time zone",
  });
export type ActiveSchedule = z.infer<typeof ActiveSchedule>;

export const Tolerance = z
  .union([
    z
      .object({
        atLeast: z.number().int().min(1).max(1000),
        ofLast: z.number().int().min(1).max(1000),
      })
      .strict()
      .refine((t) => t.atLeast <= t.ofLast, {
        message: "atLeast must not exceed ofLast",
        path: ["atLeast"],
      }),
    z
      .object({
        rateAbove: z.number().min(0).max(1),
        window: Duration,
        minEvents: z.number().int().min(1).max(1_000_000).default(1),
      })
      .strict(),
  ])
  .openapi("Tolerance", {
    description:
      "Alert only when k of the last n events match, or when the matching share over a window passes a rate",
  });
export type Tolerance = z.infer<typeof Tolerance>;

/** Which deviations of an anomaly rule count: above the expected value, below it, or both (the default). */
const AnomalyDirection = z
  .enum(["up", "down", "both"])
  .openapi({ description: "Which deviations count: up, down or both (default)" });

/** Deviations smaller than these never count, however unusual for the series. */
const MinDeviation = z
  .object({
    absolute: z.number().nonnegative().max(1e15).optional().openapi({
      description: "In the field's unit: deviations from the expected value below this never count",
    }),
    relative: z.number().nonnegative().max(100).optional().openapi({
      description:
        "A fraction of the expected value (0.1 = 10%) below which deviations never count",
    }),
  })
  .strict()
  .openapi({ example: { absolute: 2, relative: 0.1 } });

const kinds = {
  immediate: {
    kind: z.literal("immediate"),
    condition: Expression.openapi({ example: "durationMs > 5000" }),
    tolerance: Tolerance.optional(),
  },
  absence: {
    kind: z.literal("absence"),
    window: Duration,
    expect: z
      .array(z.string().max(200))
      .max(10_000)
      .optional()
      .openapi({ description: "Group keys that must report" }),
    active: ActiveSchedule.optional(),
    schedule: z.string().max(200).optional().openapi({
      description:
        "Cron pattern of the expected runs, in the business's time zone (a cron job's own schedule): each key must report after every run time within `window`, the grace time. Not together with `active`",
      example: "0 3 * * *",
    }),
  },
  aggregate: {
    kind: z.literal("aggregate"),
    expression: Expression.openapi({ example: "sum(amount) > 2000" }),
    window: z.union([Duration, z.enum(["day", "week", "month"])]),
  },
  anomaly: {
    kind: z.literal("anomaly"),
    field: FieldName,
    sensitivity: z.enum(["low", "medium", "high"]).default("medium"),
    direction: AnomalyDirection.optional(),
    minDeviation: MinDeviation.optional(),
  },
};

export const RuleCreate = z
  .discriminatedUnion("kind", [
    z.object({ ...common, ...kinds.immediate }).strict(),
    z.object({ ...common, ...kinds.absence }).strict(),
    z.object({ ...common, ...kinds.aggregate }).strict(),
    z.object({ ...common, ...kinds.anomaly }).strict(),
  ])
  .openapi("RuleCreate");
export type RuleCreate = z.infer<typeof RuleCreate>;
export type RuleKind = RuleCreate["kind"];

/** A change: any key of a rule body except `kind` (a rule keeps its kind); null clears an optional key. */
export const RulePatch = z
  .object({
    name: common.name.optional(),
    where: Expression.nullable().optional(),
    groupBy: FieldName.nullable().optional(),
    severity: z.enum(severities).optional(),
    enabled: z.boolean().optional(),
    channels: common.channels.nullable(),
    for: common.for.nullable(),
    keepFiringFor: common.keepFiringFor.nullable(),
    inhibitedBy: common.inhibitedBy.nullable(),
    condition: Expression.optional(),
    tolerance: Tolerance.nullable().optional(),
    window: z.union([Duration, z.enum(["day", "week", "month"])]).optional(),
    expect: kinds.absence.expect.nullable(),
    active: ActiveSchedule.nullable().optional(),
    schedule: kinds.absence.schedule.nullable(),
    expression: Expression.optional(),
    field: FieldName.optional(),
    sensitivity: z.enum(["low", "medium", "high"]).optional(),
    direction: AnomalyDirection.nullable().optional(),
    minDeviation: MinDeviation.nullable().optional(),
  })
  .strict()
  .openapi("RulePatch");
export type RulePatch = z.infer<typeof RulePatch>;

/** Where a rule stands with the business's history. */
export const RuleStatus = z
  .object({
    history: z.enum(["replaying", "ready"]).openapi({
      description:
        "`replaying`: the rule is learning from the stored and archived history and takes live events once it has caught up; `ready`: live",
    }),
    replayedEvents: z.number().int().optional(),
    groups: z.number().int().optional().openapi({ description: "Anomaly rules: series learnt" }),
    warmingUp: z.number().int().optional().openapi({
      description: "Anomaly rules: series still warming up (too few points to judge yet)",
    }),
  })
  .openapi("RuleStatus");
export type RuleStatus = z.infer<typeof RuleStatus>;

const ruleMeta = {
  id: z.string(),
  businessId: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  status: RuleStatus.optional(),
};

export const Rule = z
  .discriminatedUnion("kind", [
    z.object({ ...ruleMeta, ...common, ...kinds.immediate }),
    z.object({ ...ruleMeta, ...common, ...kinds.absence }),
    z.object({ ...ruleMeta, ...common, ...kinds.aggregate }),
    z.object({ ...ruleMeta, ...common, ...kinds.anomaly }),
  ])
  .openapi("Rule");
export type Rule = z.infer<typeof Rule>;

/** A time in a request body: RFC 3339 or epoch milliseconds. */
const BodyTime = z
  .union([z.string().max(40), z.number()])
  .openapi({ description: "RFC 3339 time or epoch milliseconds", example: "2026-11-01T00:00:00Z" });

export const BacktestRequest = z
  .object({
    rule: RuleCreate,
    from: BodyTime.optional(),
    to: BodyTime.optional(),
  })
  .strict()
  .openapi("BacktestRequest");
export type BacktestRequest = z.infer<typeof BacktestRequest>;

export const BacktestResult = z
  .object({
    events: z
      .number()
      .int()
      .openapi({ description: "Events in the range the rule was evaluated on" }),
    from: Timestamp.nullable(),
    to: Timestamp.nullable(),
    alerts: z.array(
      z.object({
        groupKey: z.string(),
        openedAt: Timestamp.openapi({ description: "Event time of the opening" }),
        resolvedAt: Timestamp.nullable(),
        summary: z.string(),
      }),
    ),
    truncated: z.boolean().openapi({
      description:
        "Only the newest 200,000 events before `to` (and 20,000,000 characters of their data) were read (earlier history left out)",
    }),
  })
  .openapi("BacktestResult");
export type BacktestResult = z.infer<typeof BacktestResult>;

/** The band's range and buckets, as a series' (default: the last day, about 120 buckets). */
export const AnomalyBandQuery = SeriesQuery.pick({ from: true, to: true, bucket: true }).extend({
  group: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Only this value of the rule's groupBy" }),
});

export const AnomalyBandPoint = z
  .object({
    time: Timestamp.openapi({ description: "Start of the bucket" }),
    group: z.string().optional().openapi({ description: "The value of the rule's groupBy" }),
    expected: z.number().openapi({ description: "Mean expected value of the bucket's points" }),
    low: z
      .number()
      .openapi({ description: "Values below this were unusual (mean over the bucket)" }),
    high: z
      .number()
      .openapi({ description: "Values above this were unusual (mean over the bucket)" }),
  })
  .openapi("AnomalyBandPoint");
export type AnomalyBandPoint = z.infer<typeof AnomalyBandPoint>;

export const AnomalyBand = z
  .object({
    ruleId: z.string(),
    field: z
      .string()
      .nullable()
      .openapi({ description: "The anomaly rule's field; null for other kinds" }),
    bucket: z.string(),
    from: Timestamp,
    to: Timestamp,
    items: z.array(AnomalyBandPoint),
    truncated: z.boolean().openapi({
      description: "Only the newest 200,000 events of the range and its week of lead-in were read",
    }),
  })
  .openapi("AnomalyBand");
export type AnomalyBand = z.infer<typeof AnomalyBand>;
