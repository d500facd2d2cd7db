import { z } from "@hono/zod-openapi";
import { Business, FieldInput } from "./businesses";
import { Timezone } from "./common";
import { Rule, RuleCreate } from "./rules";

export const templateIds = ["jobs"] as const;
export type TemplateId = (typeof templateIds)[number];

export const Template = z
  .object({
    id: z.enum(templateIds),
    name: z.string(),
    description: z.string(),
    timeField: z.string(),
    fields: z.array(FieldInput),
    rules: z.array(RuleCreate),
  })
  .openapi("Template", { description: "A ready business: its fields and the rules people expect" });
export type Template = z.infer<typeof Template>;

export const TemplateApply = z
  .object({
    workspaceId: z.string().min(1).max(64).optional().openapi({
      description: "The workspace it belongs to. Default: the API key's own workspace",
    }),
    name: z.string().trim().min(1).max(200).openapi({ example: "Nightly jobs" }),
    description: z.string().max(2000).default(""),
    timezone: Timezone.default("UTC"),
  })
  .strict()
  .openapi("TemplateApply");
export type TemplateApply = z.infer<typeof TemplateApply>;

export const TemplateApplied = z
  .object({ business: Business, rules: z.array(Rule) })
  .openapi("TemplateApplied");

/** The missed-run rule of one job: it must report success or failure within `grace` after every run time. */
export function missedRunRule(slug: string, schedule: string, grace: string): RuleCreate {
  return {
    name: `Job ${slug} missed a run`,
    kind: "absence",
    where: `slug == '${slug}' && (kind == 'success' || kind == 'fail')`,
    groupBy: "slug",
    expect: [slug],
    schedule,
    window: grace,
    severity: "critical",
    enabled: true,
  };
}
