import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { publishSilences } from "./publish";
import { rowIs, rowOfBusiness, rowsOfBusiness } from "./rows";

const { silences } = tables;
export type SilenceRow = typeof silences.$inferSelect;

/** A silence as the engine sees it: what it matches and when it is active. */
export interface SilenceDef {
  id: string;
  ruleId: string | null;
  groupKey: string | null;
  startsAt: number;
  /** One-off: the end. Recurring: no occurrence starts after it. Null: no end. */
  endsAt: number | null;
  rrule: string | null;
  durationMs: number | null;
}

const silenceIs = (businessId: string, id: string) => rowIs(silences, businessId, id);

export function silenceDef(row: SilenceRow): SilenceDef {
  return {
    id: row.id,
    ruleId: row.ruleId,
    groupKey: row.groupKey,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    rrule: row.rrule,
    durationMs: row.durationSeconds === null ? null : row.durationSeconds * 1000,
  };
}

export async function listSilenceRows(db: Database, businessId: string): Promise<SilenceRow[]> {
  return rowsOfBusiness(db, silences, businessId);
}

export const findSilenceRow = (db: Database, businessId: string, id: string) =>
  rowOfBusiness(db, silences, "Silence", businessId, id);

export async function insertSilence(env: Env, db: Database, row: SilenceRow): Promise<void> {
  await publishSilences(env, db, row.businessId, db.insert(silences).values(row));
}

export async function replaceSilence(env: Env, db: Database, row: SilenceRow): Promise<void> {
  const { id, businessId, createdAt: _c, createdBy: _by, ...changes } = row;
  await publishSilences(
    env,
    db,
    businessId,
    db.update(silences).set(changes).where(silenceIs(businessId, id)),
  );
}

export async function removeSilence(
  env: Env,
  db: Database,
  businessId: string,
  id: string,
): Promise<void> {
  await findSilenceRow(db, businessId, id);
  await publishSilences(env, db, businessId, db.delete(silences).where(silenceIs(businessId, id)));
}
