import type { Rule, RuleCreate } from "../../schema/contracts/rules";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { publish } from "./publish";
import { idsOfBusiness, removeFromBusiness, rowIs, rowOfBusiness, rowsOfBusiness } from "./rows";

const { rules } = tables;
type RuleRow = typeof rules.$inferSelect;

const commonKeys = ["name", "kind", "where", "groupBy", "severity", "enabled", "channels"] as const;
const ruleIs = (businessId: string, ruleId: string) => rowIs(rules, businessId, ruleId);

function toRule(row: RuleRow): Rule {
  const spec = row.spec as Record<string, unknown>;
  const rule: Record<string, unknown> = {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    kind: row.kind,
    severity: row.severity,
    enabled: row.enabled,
    ...spec,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
  if (row.where !== null) rule.where = row.where;
  if (row.groupBy !== null) rule.groupBy = row.groupBy;
  if (row.channels !== null) rule.channels = row.channels;
  return rule as Rule;
}

function toRow(
  rule: RuleCreate,
  businessId: string,
  id: string,
  createdAt: number,
  updatedAt: number,
): RuleRow {
  const spec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) {
    if (!(commonKeys as readonly string[]).includes(k) && v !== undefined) spec[k] = v;
  }
  return {
    id,
    businessId,
    name: rule.name,
    kind: rule.kind,
    spec,
    where: rule.where ?? null,
    groupBy: rule.groupBy ?? null,
    severity: rule.severity,
    enabled: rule.enabled,
    channels: rule.channels ?? null,
    createdAt,
    updatedAt,
  };
}

export async function listRules(db: Database, businessId: string): Promise<Rule[]> {
  return (await rowsOfBusiness(db, rules, businessId)).map(toRule);
}

export async function ruleIds(db: Database, businessId: string): Promise<Set<string>> {
  return idsOfBusiness(db, rules, businessId);
}

/** One rule of a business; throws not-found for a rule of another business. */
export async function findRule(db: Database, businessId: string, ruleId: string): Promise<Rule> {
  return toRule(await rowOfBusiness(db, rules, "Rule", businessId, ruleId));
}

export async function insertRule(
  env: Env,
  db: Database,
  businessId: string,
  input: RuleCreate,
): Promise<Rule> {
  const at = Date.now();
  const row = toRow(input, businessId, newId("rul", at), at, at);
  await publish(env, db, businessId, [db.insert(rules).values(row)]);
  return toRule(row);
}

export async function replaceRule(
  env: Env,
  db: Database,
  businessId: string,
  current: Rule,
  next: RuleCreate,
): Promise<Rule> {
  const row = toRow(next, businessId, current.id, Date.parse(current.createdAt), Date.now());
  const { id: _id, businessId: _b, createdAt: _c, ...changes } = row;
  await publish(env, db, businessId, [
    db.update(rules).set(changes).where(ruleIs(businessId, current.id)),
  ]);
  return toRule(row);
}

export const removeRule = (env: Env, db: Database, businessId: string, ruleId: string) =>
  removeFromBusiness(env, db, rules, "Rule", businessId, ruleId);
