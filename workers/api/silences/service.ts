import { and, asc, eq } from "drizzle-orm";
import type {
  Silence,
  SilenceCreate,
  SilencePatch,
  SilenceSchedule,
} from "../../../schema/contracts/silences";
import type { SilenceDef } from "../../business/quiet/window";
import { SilenceWindow } from "../../business/quiet/window";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { formatDuration, parseDuration } from "../../lib/duration";
import { invalid, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import { getBusiness } from "../businesses/service";

const { silences, rules } = tables;
type SilenceRow = typeof silences.$inferSelect;

/** How many coming occurrences a silence shows. */
const PREVIEW = 5;

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

function toSilence(row: SilenceRow, timeZone: string, now: number): Silence {
  const window = new SilenceWindow(silenceDef(row), timeZone);
  const matchers: Silence["matchers"] = {};
  if (row.ruleId !== null) matchers.ruleId = row.ruleId;
  if (row.groupKey !== null) matchers.groupKey = row.groupKey;
  return {
    id: row.id,
    businessId: row.businessId,
    matchers,
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    schedule:
      row.rrule && row.durationSeconds
        ? { rrule: row.rrule, duration: formatDuration(row.durationSeconds * 1000) }
        : null,
    comment: row.comment,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    active: window.activeAt(now),
    nextOccurrences: window
      .occurrences(now, PREVIEW)
      .map((o) => ({ startsAt: iso(o.start), endsAt: iso(o.end) })),
  };
}

/** Tells the business's Durable Object that its silences changed: suppression is judged again at once. */
async function applyToMonitor(env: Env, businessId: string) {
  await env.BUSINESS.get(env.BUSINESS.idFromName(businessId)).syncSilences(businessId);
}

export async function listSilenceRows(db: Database, businessId: string): Promise<SilenceRow[]> {
  return db
    .select()
    .from(silences)
    .where(eq(silences.businessId, businessId))
    .orderBy(asc(silences.id));
}

export async function listSilences(db: Database, businessId: string): Promise<Silence[]> {
  const business = await getBusiness(db, businessId);
  const now = Date.now();
  return (await listSilenceRows(db, businessId)).map((r) => toSilence(r, business.timezone, now));
}

async function silenceRow(db: Database, businessId: string, id: string): Promise<SilenceRow> {
  const row = (
    await db
      .select()
      .from(silences)
      .where(and(eq(silences.businessId, businessId), eq(silences.id, id)))
  )[0];
  if (!row) throw notFound("Silence", id);
  return row;
}

export async function getSilence(db: Database, businessId: string, id: string): Promise<Silence> {
  const business = await getBusiness(db, businessId);
  return toSilence(await silenceRow(db, businessId, id), business.timezone, Date.now());
}

interface Shape {
  ruleId: string | null;
  groupKey: string | null;
  startsAt: number;
  endsAt: number | null;
  schedule: SilenceSchedule | null;
}

/** Checks a silence's shape: what it matches, and a time span or a schedule. */
async function check(db: Database, businessId: string, timeZone: string, s: Shape) {
  if (s.ruleId === null && s.groupKey === null)
    throw invalid("matchers", "must name a ruleId, a groupKey or both");
  if (s.ruleId !== null) {
    const found = await db
      .select({ id: rules.id })
      .from(rules)
      .where(and(eq(rules.businessId, businessId), eq(rules.id, s.ruleId)));
    if (!found.length)
      throw invalid("matchers.ruleId", `'${s.ruleId}' is not a rule of this business`);
  }
  if (!s.schedule) {
    if (s.endsAt === null) throw invalid("endsAt", "is required unless a schedule is given");
    if (s.endsAt <= s.startsAt) throw invalid("endsAt", "must be after startsAt");
    return null;
  }
  const durationMs = parseDuration(s.schedule.duration);
  if (!durationMs) throw invalid("schedule.duration", "must be a positive duration like 2h");
  if (s.endsAt !== null && s.endsAt <= s.startsAt)
    throw invalid("endsAt", "must be after startsAt");
  const def: SilenceDef = {
    id: "",
    ruleId: s.ruleId,
    groupKey: s.groupKey,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    rrule: s.schedule.rrule,
    durationMs,
  };
  const window = new SilenceWindow(def, timeZone);
  if (window.occurrences(s.startsAt, 1).length === 0)
    throw invalid("schedule.rrule", "never occurs after startsAt");
  return durationMs / 1000;
}

export async function createSilence(
  env: Env,
  db: Database,
  businessId: string,
  input: SilenceCreate,
): Promise<Silence> {
  const business = await getBusiness(db, businessId);
  const at = Date.now();
  const shape: Shape = {
    ruleId: input.matchers.ruleId ?? null,
    groupKey: input.matchers.groupKey ?? null,
    startsAt: input.startsAt ? Date.parse(input.startsAt) : at,
    endsAt: input.endsAt ? Date.parse(input.endsAt) : null,
    schedule: input.schedule ?? null,
  };
  const durationSeconds = await check(db, businessId, business.timezone, shape);
  const row: SilenceRow = {
    id: newId("sil", at),
    businessId,
    ruleId: shape.ruleId,
    groupKey: shape.groupKey,
    startsAt: shape.startsAt,
    endsAt: shape.endsAt,
    rrule: shape.schedule?.rrule ?? null,
    durationSeconds,
    comment: input.comment ?? "",
    createdBy: input.createdBy ?? "admin",
    createdAt: at,
    updatedAt: at,
  };
  await db.insert(silences).values(row);
  await applyToMonitor(env, businessId);
  return toSilence(row, business.timezone, at);
}

export async function updateSilence(
  env: Env,
  db: Database,
  businessId: string,
  id: string,
  patch: SilencePatch,
): Promise<Silence> {
  const business = await getBusiness(db, businessId);
  const current = await silenceRow(db, businessId, id);
  const matchers = patch.matchers;
  const shape: Shape = {
    ruleId: matchers ? (matchers.ruleId ?? null) : current.ruleId,
    groupKey: matchers ? (matchers.groupKey ?? null) : current.groupKey,
    startsAt: patch.startsAt ? Date.parse(patch.startsAt) : current.startsAt,
    endsAt: patch.endsAt === null ? null : patch.endsAt ? Date.parse(patch.endsAt) : current.endsAt,
    schedule:
      patch.schedule === null
        ? null
        : (patch.schedule ??
          (current.rrule && current.durationSeconds
            ? { rrule: current.rrule, duration: formatDuration(current.durationSeconds * 1000) }
            : null)),
  };
  const durationSeconds = await check(db, businessId, business.timezone, shape);
  const at = Date.now();
  const row: SilenceRow = {
    ...current,
    ruleId: shape.ruleId,
    groupKey: shape.groupKey,
    startsAt: shape.startsAt,
    endsAt: shape.endsAt,
    rrule: shape.schedule?.rrule ?? null,
    durationSeconds,
    comment: patch.comment ?? current.comment,
    updatedAt: at,
  };
  const { id: _id, businessId: _b, createdAt: _c, createdBy: _by, ...changes } = row;
  await db
    .update(silences)
    .set(changes)
    .where(and(eq(silences.businessId, businessId), eq(silences.id, id)));
  await applyToMonitor(env, businessId);
  return toSilence(row, business.timezone, at);
}

export async function deleteSilence(
  env: Env,
  db: Database,
  businessId: string,
  id: string,
): Promise<void> {
  await silenceRow(db, businessId, id);
  await db.delete(silences).where(and(eq(silences.businessId, businessId), eq(silences.id, id)));
  await applyToMonitor(env, businessId);
}
