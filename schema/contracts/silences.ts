import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";

const Duration = z
  .string()
  .regex(/^\d{1,6}(s|m|h|d)$/, "must be a duration like 30m, 2h or 1d")
  .openapi({ example: "2h" });

const Matchers = z
  .object({
    ruleId: z.string().min(1).max(64).optional(),
    groupKey: z.string().max(200).optional(),
  })
  .strict()
  .openapi("SilenceMatchers", {
    description: "What the silence covers: a rule, a group key, or both (at least one)",
  });

export const SilenceSchedule = z
  .object({
    rrule: z.string().trim().min(1).max(500).openapi({
      description:
        "An RFC 5545 recurrence rule (the RRULE value), in the business's time zone; times not named by BYHOUR/BYMINUTE are local midnight",
      example: "FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0",
    }),
    duration: Duration,
  })
  .strict()
  .openapi("SilenceSchedule");
export type SilenceSchedule = z.infer<typeof SilenceSchedule>;

const InstantInput = z.iso.datetime({ offset: true }).openapi({ example: "2026-11-28T02:00:00Z" });

export const SilenceCreate = z
  .object({
    matchers: Matchers,
    startsAt: InstantInput.optional().openapi({ description: "Default: now" }),
    endsAt: InstantInput.optional(),
    schedule: SilenceSchedule.optional(),
    comment: z.string().max(1000).optional(),
    createdBy: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi("SilenceCreate");
export type SilenceCreate = z.infer<typeof SilenceCreate>;

export const SilencePatch = z
  .object({
    matchers: Matchers.optional(),
    startsAt: InstantInput.optional(),
    endsAt: InstantInput.nullable().optional(),
    schedule: SilenceSchedule.nullable().optional(),
    comment: z.string().max(1000).optional(),
  })
  .strict()
  .openapi("SilencePatch");
export type SilencePatch = z.infer<typeof SilencePatch>;

export const Silence = z
  .object({
    id: z.string(),
    businessId: z.string(),
    matchers: Matchers,
    startsAt: Timestamp,
    endsAt: Timestamp.nullable(),
    schedule: SilenceSchedule.nullable(),
    comment: z.string(),
    createdBy: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    active: z.boolean().openapi({ description: "Whether it silences right now" }),
    nextOccurrences: z.array(z.object({ startsAt: Timestamp, endsAt: Timestamp })).openapi({
      description: "The next times it silences (up to 5; the current one first when active)",
    }),
  })
  .openapi("Silence");
export type Silence = z.infer<typeof Silence>;
