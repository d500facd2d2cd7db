import type { Rule } from "../../../schema/contracts/rules";
import { RuleCreate } from "../../../schema/contracts/rules";
import type { Suggestion } from "../../../schema/contracts/suggestions";
import { getBusiness } from "../../definitions/businesses";
import { decideSuggestion, findSuggestionRow, toSuggestion } from "../../definitions/suggestions";
import type { Database } from "../../lib/db";
import { conflict } from "../../lib/errors";
import { createRule } from "../rules/service";

/** Creates the suggested rule (validated like any new rule) and marks the suggestion approved. */
export async function approveSuggestion(env: Env, db: Database, id: string): Promise<Rule> {
  const row = await findSuggestionRow(db, id);
  if (row.status !== "pending") throw conflict(`Suggestion '${id}' is already ${row.status}.`);
  const business = await getBusiness(db, row.businessId);
  const rule = await createRule(env, db, business, RuleCreate.parse(row.rule));
  await decideSuggestion(db, row, { status: "approved", ruleId: rule.id });
  return rule;
}

/** Marks a suggestion rejected; its fingerprint keeps the same idea from coming back. */
export async function rejectSuggestion(db: Database, id: string): Promise<Suggestion> {
  const row = await findSuggestionRow(db, id);
  if (row.status === "approved") throw conflict(`Suggestion '${id}' is already approved.`);
  if (row.status === "rejected") return toSuggestion(row);
  return decideSuggestion(db, row, { status: "rejected" });
}
