import { and, asc, eq } from "drizzle-orm";
import type { Rule } from "../../../schema/contracts/rules";
import { RuleCreate } from "../../../schema/contracts/rules";
import type { ProfileRun, Suggestion } from "../../../schema/contracts/suggestions";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { conflict, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import type { Profile } from "../../profile/profile";
import type { Note } from "../../profile/types";
import { getBusiness } from "../businesses/service";
import { createRule, listRules } from "../rules/service";

const { suggestions, profileRuns } = tables;
type Row = typeof suggestions.$inferSelect;

function toSuggestion(row: Row): Suggestion {
  return {
    id: row.id,
    businessId: row.businessId,
    rule: row.rule as Suggestion["rule"],
    rationale: row.rationale,
    evidence: row.evidence as Suggestion["evidence"],
    status: row.status,
    ruleId: row.ruleId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    decidedAt: row.decidedAt === null ? null : iso(row.decidedAt),
  };
}

export async function listSuggestions(
  db: Database,
  businessId: string,
  status?: Suggestion["status"],
): Promise<{ items: Suggestion[]; run: ProfileRun | null }> {
  await getBusiness(db, businessId);
  const [rows, runs] = await Promise.all([
    db
      .select()
      .from(suggestions)
      .where(
        status
          ? and(eq(suggestions.businessId, businessId), eq(suggestions.status, status))
          : eq(suggestions.businessId, businessId),
      )
      .orderBy(asc(suggestions.id)),
    db.select().from(profileRuns).where(eq(profileRuns.businessId, businessId)),
  ]);
  const run = runs[0];
  return {
    items: rows.map(toSuggestion),
    run: run
      ? {
          ranAt: iso(run.ranAt),
          events: run.events,
          from: iso(run.periodFrom),
          to: iso(run.periodTo),
          groupField: run.groupField,
          notes: run.notes as Note[],
        }
      : null,
  };
}

/**
 * Runs the profile engine over the business's history (in its Durable Object,
 * next to the events) and stores what it drafted: new ideas are added, pending
 * ones refreshed with the new evidence, pending ones it no longer drafts
 * removed (an existing rule covers them now, or the evidence no longer holds),
 * approved and rejected ones left alone.
 */
export async function runProfile(env: Env, db: Database, businessId: string) {
  await getBusiness(db, businessId);
  const rules: Rule[] = await listRules(db, businessId);
  const stub = env.BUSINESS.get(env.BUSINESS.idFromName(businessId));
  // Evidence is typed `unknown` (plain data), which the RPC type mapping turns into `never`.
  const found = (await stub.profile(businessId, rules)) as unknown as Profile;
  const known = new Map(
    (
      await db
        .select({
          id: suggestions.id,
          fingerprint: suggestions.fingerprint,
          status: suggestions.status,
        })
        .from(suggestions)
        .where(eq(suggestions.businessId, businessId))
    ).map((s) => [s.fingerprint, s]),
  );
  const at = Date.now();
  const writes = [];
  // Pending ideas this run no longer supports (a rule now covers them, or the evidence changed) go.
  const drafted = new Set(found.drafts.map((d) => d.fingerprint));
  for (const s of known.values()) {
    if (s.status === "pending" && !drafted.has(s.fingerprint))
      writes.push(db.delete(suggestions).where(eq(suggestions.id, s.id)));
  }
  for (const draft of found.drafts) {
    const seen = known.get(draft.fingerprint);
    if (seen && seen.status !== "pending") continue;
    const values = {
      rule: draft.rule,
      rationale: draft.rationale,
      evidence: draft.evidence,
      updatedAt: at,
    };
    writes.push(
      seen
        ? db.update(suggestions).set(values).where(eq(suggestions.id, seen.id))
        : db.insert(suggestions).values({
            ...values,
            id: newId("sug", at),
            businessId,
            fingerprint: draft.fingerprint,
            createdAt: at,
          }),
    );
  }
  const run = {
    ranAt: at,
    events: found.events,
    periodFrom: Date.parse(found.from),
    periodTo: Date.parse(found.to),
    groupField: found.groupField,
    notes: found.notes,
  };
  writes.push(
    db
      .insert(profileRuns)
      .values({ businessId, ...run })
      .onConflictDoUpdate({ target: profileRuns.businessId, set: run }),
  );
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
  return listSuggestions(db, businessId, "pending");
}

async function suggestionRow(db: Database, id: string): Promise<Row> {
  const row = (await db.select().from(suggestions).where(eq(suggestions.id, id)))[0];
  if (!row) throw notFound("Suggestion", id);
  return row;
}

/** Creates the suggested rule (validated like any new rule) and marks the suggestion approved. */
export async function approveSuggestion(env: Env, db: Database, id: string): Promise<Rule> {
  const row = await suggestionRow(db, id);
  if (row.status !== "pending") throw conflict(`Suggestion '${id}' is already ${row.status}.`);
  const business = await getBusiness(db, row.businessId);
  const rule = await createRule(env, db, business, RuleCreate.parse(row.rule));
  const at = Date.now();
  await db
    .update(suggestions)
    .set({ status: "approved", ruleId: rule.id, decidedAt: at, updatedAt: at })
    .where(eq(suggestions.id, id));
  return rule;
}

/** Marks a suggestion rejected; its fingerprint keeps the same idea from coming back. */
export async function rejectSuggestion(db: Database, id: string): Promise<Suggestion> {
  const row = await suggestionRow(db, id);
  if (row.status === "approved") throw conflict(`Suggestion '${id}' is already approved.`);
  if (row.status === "rejected") return toSuggestion(row);
  const at = Date.now();
  await db
    .update(suggestions)
    .set({ status: "rejected", decidedAt: at, updatedAt: at })
    .where(eq(suggestions.id, id));
  return toSuggestion({ ...row, status: "rejected", decidedAt: at, updatedAt: at });
}

/** Profiles every business (the daily Cron Trigger); one failure does not stop the others. */
export async function profileAll(env: Env, db: Database): Promise<void> {
  const all = await db.select({ id: tables.businesses.id }).from(tables.businesses);
  for (const { id } of all) {
    try {
      await runProfile(env, db, id);
    } catch (error) {
      console.error(`profile of business ${id} failed`, error);
    }
  }
}
