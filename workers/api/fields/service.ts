import type { Business, Field, FieldPatch } from "../../../schema/contracts/businesses";
import { timeFieldProblem } from "../../../schema/contracts/businesses";
import { getBusiness } from "../../definitions/businesses";
import { insertField, removeField, replaceField } from "../../definitions/fields";
import type { Database } from "../../lib/db";
import { conflict, invalid, notFound } from "../../lib/errors";
import { rulesBrokenBy } from "../rules/service";

/** Refuses a field change that would leave a rule unable to run. */
async function assertRulesSurvive(db: Database, next: Business): Promise<void> {
  const broken = await rulesBrokenBy(db, next);
  const first = broken[0];
  if (first) {
    throw conflict(
      `Rule '${first.rule.name}' (${first.rule.id}) depends on this field: ${first.problem}. Change or delete the rule first.`,
    );
  }
}

export async function addField(
  env: Env,
  db: Database,
  businessId: string,
  input: Field,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  if (current.fields.some((f) => f.name === input.name)) {
    throw conflict(`Field '${input.name}' already exists; change it with PATCH.`);
  }
  if (input.name === current.timeField && input.type !== "timestamp") {
    throw invalid("type", `'${input.name}' is the time field, so its type must be timestamp`);
  }
  if (current.fields.length >= 200) throw invalid("name", "a business has at most 200 fields");
  return insertField(env, db, businessId, input, current.fields.length);
}

export async function updateField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
  patch: FieldPatch,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  const field = current.fields.find((f) => f.name === name);
  if (!field) throw notFound("Field", name);
  const next: Field = { ...field };
  if (patch.type !== undefined) next.type = patch.type;
  if (patch.required !== undefined) next.required = patch.required;
  if (patch.values !== undefined) next.values = patch.values;
  if (patch.values !== undefined && next.type !== "enum") {
    throw invalid("values", "only enum fields have values");
  }
  if (next.type !== "enum") delete next.values;
  if (patch.unit !== undefined) next.unit = patch.unit ?? undefined;
  if (patch.description !== undefined) next.description = patch.description ?? undefined;
  if (next.type === "enum" && !next.values) {
    throw invalid("values", "an enum field needs its list of values");
  }
  if (name === current.timeField && next.type !== "timestamp") {
    throw invalid("type", `'${name}' is the time field, so its type must be timestamp`);
  }
  await assertRulesSurvive(db, {
    ...current,
    fields: current.fields.map((f) => (f.name === name ? next : f)),
  });
  return replaceField(env, db, businessId, name, next);
}

export async function deleteField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  if (!current.fields.some((f) => f.name === name)) throw notFound("Field", name);
  const remaining = current.fields.filter((f) => f.name !== name);
  if (name === current.timeField && timeFieldProblem(remaining, name)) {
    throw invalid("name", `'${name}' is the time field; set another timeField before removing it`);
  }
  await assertRulesSurvive(db, { ...current, fields: remaining });
  return removeField(env, db, businessId, name);
}
