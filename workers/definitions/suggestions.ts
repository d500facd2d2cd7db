import { and, asc, eq } from "drizzle-orm";
import type { ProfileRun, Suggestion } from "../../schema/contracts/suggestions";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import type { Write } from "./publish";
import { rowById } from "./rows";

const { suggestions, profileRuns } = tables;
type Row = typeof suggestions.$inferSelect;

/** What a profile run found, as stored: drafted rules by fingerprint and the run's notes. */
export interface ProfileFound {
  drafts: {
    fingerprint: string;
    rule: Suggestion["rule"];
    rationale: string;
    evidence: Suggestion["evidence"];
  }[];
  notes: ProfileRun["notes"];
  events: number;
  from: string;
  to: string;
  groupField: string | null;
}

export function toSuggestion(row: Row): Suggestion {
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
          notes: run.notes as ProfileRun["notes"],
        }
      : null,
  };
}

/**
 * Stores what a profile run drafted: new ideas are added, pending ones refreshed
 * with the new evidence, pending ones it no longer drafts removed (an existing
 * rule covers them now, or the evidence no longer holds), approved and rejected
 * ones left alone.
 */
export async function saveProfile(
  db: Database,
  businessId: string,
  found: ProfileFound,
): Promise<void> {
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
  const writes: Write[] = [];
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
  await db.batch(writes as [Write, ...Write[]]);
}

export const findSuggestionRow = (db: Database, id: string): Promise<Row> =>
  rowById(db, suggestions, "Suggestion", id);

/** Records a decision on a suggestion (approved with its new rule, or rejected). */
export async function decideSuggestion(
  db: Database,
  row: Row,
  decision: { status: "approved"; ruleId: string } | { status: "rejected" },
): Promise<Suggestion> {
  const at = Date.now();
  const set = { ...decision, decidedAt: at, updatedAt: at };
  await db.update(suggestions).set(set).where(eq(suggestions.id, row.id));
  return toSuggestion({ ...row, ...set });
}
