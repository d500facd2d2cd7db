import type { Business } from "../../../schema/contracts/businesses";
import type { Rule, RulePatch } from "../../../schema/contracts/rules";
import { RuleCreate } from "../../../schema/contracts/rules";
import { compileRule } from "../../business/engine/compile";
import { RuleDefinitionError } from "../../business/engine/definition-error";
import { getBusiness } from "../../definitions/businesses";
import { channelIds } from "../../definitions/channels";
import { monitorOf } from "../../definitions/monitor";
import { findRule, insertRule, listRules, replaceRule, ruleIds } from "../../definitions/rules";
import type { Database } from "../../lib/db";
import { invalid, issuesToErrors, unprocessable } from "../../lib/errors";

async function checkChannels(db: Database, businessId: string, ids: string[] | undefined) {
  if (!ids?.length) return;
  const known = await channelIds(db, businessId);
  ids.forEach((id, i) => {
    if (!known.has(id)) throw invalid(`channels.${i}`, `'${id}' is not a channel of this business`);
  });
}

/** `inhibitedBy` names other rules of the same business. */
async function checkInhibitors(
  db: Database,
  businessId: string,
  ids: string[] | undefined,
  self?: string,
) {
  if (!ids?.length) return;
  const known = await ruleIds(db, businessId);
  ids.forEach((id, i) => {
    if (id === self) throw invalid(`inhibitedBy.${i}`, "a rule cannot inhibit itself");
    if (!known.has(id)) throw invalid(`inhibitedBy.${i}`, `'${id}' is not a rule of this business`);
  });
}

/** Rules with their live standing from the business's object (replaying history, series warming up). */
export async function withStatus(env: Env, businessId: string, list: Rule[]): Promise<Rule[]> {
  if (list.length === 0) return list;
  const status = await monitorOf(env, businessId).ruleStatus(businessId);
  return list.map((r) => (status[r.id] ? { ...r, status: status[r.id] } : r));
}

/** One rule with its live status. */
export async function withStatusOf(env: Env, rule: Rule): Promise<Rule> {
  const [shown = rule] = await withStatus(env, rule.businessId, [rule]);
  return shown;
}

export async function getRule(db: Database, businessId: string, ruleId: string): Promise<Rule> {
  await getBusiness(db, businessId);
  return findRule(db, businessId, ruleId);
}

export async function createRule(
  env: Env,
  db: Database,
  business: Business,
  input: RuleCreate,
): Promise<Rule> {
  compileRule(input, business);
  await checkChannels(db, business.id, input.channels);
  await checkInhibitors(db, business.id, input.inhibitedBy);
  return insertRule(env, db, business.id, input);
}

/** Applies a patch to a stored rule body: keys set to null are removed. */
function merge(current: Rule, patch: RulePatch): RuleCreate {
  const { id: _id, businessId: _b, createdAt: _c, updatedAt: _u, ...body } = current;
  const next: Record<string, unknown> = { ...body };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as RuleCreate;
}

export async function updateRule(
  env: Env,
  db: Database,
  business: Business,
  ruleId: string,
  patch: RulePatch,
): Promise<Rule> {
  const current = await findRule(db, business.id, ruleId);
  const parsed = RuleCreate.safeParse(merge(current, patch));
  if (!parsed.success) {
    const errors = issuesToErrors(parsed.error.issues);
    throw unprocessable(errors.map((e) => `${e.path}: ${e.message}`).join("; "), errors);
  }
  const next = parsed.data;
  compileRule(next, business);
  await checkChannels(db, business.id, next.channels);
  await checkInhibitors(db, business.id, next.inhibitedBy, ruleId);
  return replaceRule(env, db, business.id, current, next);
}

/** The rules that would no longer compile if the business had these fields instead. */
export async function rulesBrokenBy(
  db: Database,
  business: Business,
): Promise<{ rule: Rule; problem: string }[]> {
  const broken: { rule: Rule; problem: string }[] = [];
  for (const rule of await listRules(db, business.id)) {
    try {
      compileRule(rule, business);
    } catch (error) {
      if (!(error instanceof RuleDefinitionError)) throw error;
      broken.push({ rule, problem: `${error.path}: ${error.message}` });
    }
  }
  return broken;
}
