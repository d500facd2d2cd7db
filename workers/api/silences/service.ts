import type {
  Silence,
  SilenceCreate,
  SilencePatch,
  SilenceSchedule,
} from "../../../schema/contracts/silences";
import { SilenceWindow } from "../../business/quiet/window";
import { getBusiness } from "../../definitions/businesses";
import { ruleIds } from "../../definitions/rules";
import type { SilenceDef, SilenceRow } from "../../definitions/silences";
import {
  findSilenceRow,
  insertSilence,
  listSilenceRows,
  replaceSilence,
  silenceDef,
} from "../../definitions/silences";
import type { Database } from "../../lib/db";
import { formatDuration, parseDuration } from "../../lib/duration";
import { invalid } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";

/** How many coming occurrences a silence shows. */
const PREVIEW = 5;

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

export async function listSilences(db: Database, businessId: string): Promise<Silence[]> {
  const business = await getBusiness(db, businessId);
  const now = Date.now();
  return (await listSilenceRows(db, businessId)).map((r) => toSilence(r, business.timezone, now));
}

export async function getSilence(db: Database, businessId: string, id: string): Promise<Silence> {
  const business = await getBusiness(db, businessId);
  return toSilence(await findSilenceRow(db, businessId, id), business.timezone, Date.now());
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
    if (!(await ruleIds(db, businessId)).has(s.ruleId))
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

/** A checked shape as the columns of its row. */
async function columnsOf(db: Database, businessId: string, timeZone: string, s: Shape) {
  const durationSeconds = await check(db, businessId, timeZone, s);
  const { ruleId, groupKey, startsAt, endsAt, schedule } = s;
  return { ruleId, groupKey, startsAt, endsAt, rrule: schedule?.rrule ?? null, durationSeconds };
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
  const row: SilenceRow = {
    id: newId("sil", at),
    businessId,
    ...(await columnsOf(db, businessId, business.timezone, shape)),
    comment: input.comment ?? "",
    createdBy: input.createdBy ?? "admin",
    createdAt: at,
    updatedAt: at,
  };
  await insertSilence(env, db, row);
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
  const current = await findSilenceRow(db, businessId, id);
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
  const columns = await columnsOf(db, businessId, business.timezone, shape);
  const at = Date.now();
  const row: SilenceRow = {
    ...current,
    ...columns,
    comment: patch.comment ?? current.comment,
    updatedAt: at,
  };
  await replaceSilence(env, db, row);
  return toSilence(row, business.timezone, at);
}
