import { and, asc, eq } from "drizzle-orm";
import type { Business } from "../../../schema/contracts/businesses";
import type { Rule, RulePatch } from "../../../schema/contracts/rules";
import { RuleCreate } from "../../../schema/contracts/rules";
import { compileRule } from "../../business/engine/compile";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { invalid, issuesToErrors, notFound, unprocessable } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import { bumpVersion, getBusiness } from "../businesses/service";

const { rules, channels } = tables;
type RuleRow = typeof rules.$inferSelect;

const commonKeys = ["name", "kind", "where", "groupBy", "severity", "enabled", "channels"] as const;

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

async function checkChannels(db: Database, businessId: string, ids: string[] | undefined) {
  if (!ids?.length) return;
  const known = new Set(
    (
      await db.select({ id: channels.id }).from(channels).where(eq(channels.businessId, businessId))
    ).map((c) => c.id),
  );
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
  const known = new Set(
    (await db.select({ id: rules.id }).from(rules).where(eq(rules.businessId, businessId))).map(
      (r) => r.id,
    ),
  );
  ids.forEach((id, i) => {
    if (id === self) throw invalid(`inhibitedBy.${i}`, "a rule cannot inhibit itself");
    if (!known.has(id)) throw invalid(`inhibitedBy.${i}`, `'${id}' is not a rule of this business`);
  });
}

/** Tells the business's Durable Object that its rules changed, so the change applies at once. */
async function applyToMonitor(env: Env, businessId: string) {
  await env.BUSINESS.get(env.BUSINESS.idFromName(businessId)).syncRules(businessId);
}

/** Rules with their live standing from the business's object (replaying history, series warming up). */
export async function withStatus(env: Env, businessId: string, list: Rule[]): Promise<Rule[]> {
  if (list.length === 0) return list;
  const status = await env.BUSINESS.get(env.BUSINESS.idFromName(businessId)).ruleStatus(businessId);
  return list.map((r) => (status[r.id] ? { ...r, status: status[r.id] } : r));
}

export async function listRules(db: Database, businessId: string): Promise<Rule[]> {
  const rows = await db
    .select()
    .from(rules)
    .where(eq(rules.businessId, businessId))
    .orderBy(asc(rules.id));
  return rows.map(toRule);
}

async function ruleRow(db: Database, businessId: string, ruleId: string): Promise<RuleRow> {
  const row = (
    await db
      .select()
      .from(rules)
      .where(and(eq(rules.businessId, businessId), eq(rules.id, ruleId)))
  )[0];
  if (!row) throw notFound("Rule", ruleId);
  return row;
}

export async function getRule(db: Database, businessId: string, ruleId: string): Promise<Rule> {
  await getBusiness(db, businessId);
  return toRule(await ruleRow(db, businessId, ruleId));
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
  const at = Date.now();
  const row = toRow(input, business.id, newId("rul", at), at, at);
  await db.batch([db.insert(rules).values(row), bumpVersion(db, business.id)]);
  await applyToMonitor(env, business.id);
  return toRule(row);
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
  const current = toRule(await ruleRow(db, business.id, ruleId));
  const parsed = RuleCreate.safeParse(merge(current, patch));
  if (!parsed.success) {
    const errors = issuesToErrors(parsed.error.issues);
    throw unprocessable(errors.map((e) => `${e.path}: ${e.message}`).join("; "), errors);
  }
  const next = parsed.data;
  compileRule(next, business);
  await checkChannels(db, business.id, next.channels);
  await checkInhibitors(db, business.id, next.inhibitedBy, ruleId);
  const row = toRow(next, business.id, ruleId, Date.parse(current.createdAt), Date.now());
  const { id: _id, businessId: _b, createdAt: _c, ...changes } = row;
  await db.batch([
    db
      .update(rules)
      .set(changes)
      .where(and(eq(rules.businessId, business.id), eq(rules.id, ruleId))),
    bumpVersion(db, business.id),
  ]);
  await applyToMonitor(env, business.id);
  return toRule(row);
}

export async function deleteRule(
  env: Env,
  db: Database,
  businessId: string,
  ruleId: string,
): Promise<void> {
  await ruleRow(db, businessId, ruleId);
  await db.batch([
    db.delete(rules).where(and(eq(rules.businessId, businessId), eq(rules.id, ruleId))),
    bumpVersion(db, businessId),
  ]);
  await applyToMonitor(env, businessId);
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
      broken.push({ rule, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return broken;
}
