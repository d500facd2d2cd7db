import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";
import { RuleCreate } from "./rules";

export const suggestionStatuses = ["pending", "approved", "rejected"] as const;

export const Suggestion = z
  .object({
    id: z.string(),
    businessId: z.string(),
    rule: RuleCreate,
    rationale: z.string().openapi({
      example:
        "SFTP-BANK-A: typically every 15 min (p95 17 min) on weekdays 06–22. Alert if no event for more than 20 min.",
    }),
    evidence: z
      .object({
        sampleSize: z.number().int(),
        unit: z.enum(["events", "gaps", "values", "days", "windows"]),
        from: Timestamp,
        to: Timestamp,
        backtest: z
          .object({
            alerts: z.number().int(),
            days: z.number().int().openapi({ description: "Whole days of history covered" }),
            covers: z.string().optional().openapi({ example: "4 days" }),
            lowConfidence: z.boolean().optional().openapi({
              description: "The history is shorter than two weeks: the count says little yet",
            }),
            summary: z
              .string()
              .optional()
              .openapi({ example: "over 4 days: 0 alerts — short history, low confidence" }),
          })
          .openapi({
            description:
              "Alerts the rule would have raised over the history, and the history it covers",
          }),
      })
      .catchall(z.unknown())
      .openapi({ description: "The numbers behind the suggestion" }),
    status: z.enum(suggestionStatuses),
    ruleId: z.string().nullable().openapi({ description: "The rule created on approval" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    decidedAt: Timestamp.nullable(),
  })
  .openapi("Suggestion");
export type Suggestion = z.infer<typeof Suggestion>;

export const ProfileRun = z
  .object({
    ranAt: Timestamp,
    events: z.number().int().openapi({ description: "Events the run read" }),
    from: Timestamp,
    to: Timestamp,
    groupField: z
      .string()
      .nullable()
      .openapi({ description: "The field whose values were profiled as separate streams" }),
    notes: z
      .array(z.object({ subject: z.string(), reason: z.string() }))
      .openapi({ description: "What was not suggested, and why (too little data, too irregular)" }),
  })
  .openapi("ProfileRun");
export type ProfileRun = z.infer<typeof ProfileRun>;

export const SuggestionList = z
  .object({ items: z.array(Suggestion), run: ProfileRun.nullable() })
  .openapi("SuggestionList");

export const SuggestionQuery = z.object({
  status: z.enum(suggestionStatuses).optional().openapi({ description: "Default: all" }),
});
