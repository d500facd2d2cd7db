import type { Rule } from "../../../schema/contracts/rules";
import type { TemplateApply, TemplateId } from "../../../schema/contracts/templates";
import { createBusiness } from "../../definitions/businesses";
import type { Database } from "../../lib/db";
import { createRule } from "../rules/service";
import { templates } from "./catalog";

export async function applyTemplate(
  env: Env,
  db: Database,
  workspaceId: string,
  id: TemplateId,
  input: TemplateApply,
) {
  const template = templates[id];
  const { workspaceId: _named, ...rest } = input;
  const business = await createBusiness(db, workspaceId, {
    ...rest,
    timeField: template.timeField,
    allowUnknownFields: false,
    retention: { days: 30, maxEvents: 1_000_000 },
    fields: template.fields,
    shards: 1,
  });
  const rules: Rule[] = [];
  for (const rule of template.rules) rules.push(await createRule(env, db, business, rule));
  return { business, rules };
}
