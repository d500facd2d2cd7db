/**
 * Every timed job of a business (archive flushes, pruning, and later absence
 * deadlines and period roll-overs) is a row here; the one DO alarm is always set
 * to the earliest due row.
 */
export interface Due {
  kind: string;
  key: string;
  due: number;
  /** Failed runs in a row (0 for a job that has not failed). */
  attempts: number;
}

/** Per SQL storage: the earliest due time written since `takeEarliestWritten` last asked. */
const written = new WeakMap<SqlStorage, number>();

function noteWritten(sql: SqlStorage, due: number): void {
  const earliest = written.get(sql);
  if (earliest === undefined || due < earliest) written.set(sql, due);
}

/**
 * The earliest due time scheduled since the last call (undefined when nothing
 * was), and forgets it: the alarm needs re-planning only when a job was planned
 * before it. Deletes never need it (an alarm that finds nothing due re-plans itself).
 */
export function takeEarliestWritten(sql: SqlStorage): number | undefined {
  const earliest = written.get(sql);
  written.delete(sql);
  return earliest;
}

/** Schedules a job; an existing row for the same job keeps the earlier time. */
export function scheduleAtMost(sql: SqlStorage, kind: string, key: string, due: number): void {
  noteWritten(sql, due);
  sql.exec(
    `insert into schedule (kind, key, due) values (?, ?, ?)
     on conflict (kind, key) do update set due = min(due, excluded.due)`,
    kind,
    key,
    due,
  );
}

/** Schedules a job at exactly this time, replacing any earlier plan (and any failures on record). */
export function scheduleAt(sql: SqlStorage, kind: string, key: string, due: number): void {
  noteWritten(sql, due);
  sql.exec(
    `insert into schedule (kind, key, due) values (?, ?, ?)
     on conflict (kind, key) do update set due = excluded.due, attempts = 0, last_error = null`,
    kind,
    key,
    due,
  );
}

/** Schedules many jobs at exact times in one statement: rows of [kind, key, due]. */
export function scheduleMany(sql: SqlStorage, rows: [string, string, number][]): void {
  if (rows.length === 0) return;
  for (const [, , due] of rows) noteWritten(sql, due);
  sql.exec(
    `insert into schedule (kind, key, due)
     select value ->> 0, value ->> 1, value ->> 2 from json_each(?) where true
     on conflict (kind, key) do update set due = excluded.due`,
    JSON.stringify(rows),
  );
}

export function unschedule(sql: SqlStorage, kind: string, key = ""): void {
  sql.exec(`delete from schedule where kind = ? and key = ?`, kind, key);
}

export function dueJobs(sql: SqlStorage, now: number, limit: number): Due[] {
  return sql
    .exec<{ kind: string; key: string; due: number; attempts: number }>(
      `select kind, key, due, attempts from schedule where due <= ? order by due limit ?`,
      now,
      limit,
    )
    .toArray();
}

/**
 * Records a failed run and plans the next one: the delay doubles with each
 * failure in a row, up to the cap, with jitter (half to all of it) so many
 * objects failing on one outage do not retry in step. Returns the attempt count.
 */
export function failedJob(
  sql: SqlStorage,
  job: Pick<Due, "kind" | "key" | "attempts">,
  now: number,
  error: unknown,
  backoff: { baseMs: number; capMs: number },
): number {
  const attempts = job.attempts + 1;
  const delay = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempts - 1, 30));
  const due = now + Math.round(delay * (0.5 + Math.random() * 0.5));
  noteWritten(sql, due);
  sql.exec(
    `insert into schedule (kind, key, due, attempts, last_error) values (?, ?, ?, ?, ?)
     on conflict (kind, key) do update set due = excluded.due, attempts = excluded.attempts,
       last_error = excluded.last_error`,
    job.kind,
    job.key,
    due,
    attempts,
    String(error instanceof Error ? error.message : error).slice(0, 500),
  );
  return attempts;
}

/** Jobs whose last run failed: what the business's status shows. */
export function failingJobs(
  sql: SqlStorage,
): { kind: string; key: string; attempts: number; lastError: string; retryAt: number }[] {
  return sql
    .exec<{ kind: string; key: string; attempts: number; last_error: string; due: number }>(
      `select kind, key, attempts, last_error, due from schedule where attempts > 0 order by kind, key`,
    )
    .toArray()
    .map((r) => ({
      kind: r.kind,
      key: r.key,
      attempts: r.attempts,
      lastError: r.last_error,
      retryAt: r.due,
    }));
}

export function earliestDue(sql: SqlStorage): number | undefined {
  return (
    sql.exec<{ due: number | null }>(`select min(due) as due from schedule`).one().due ?? undefined
  );
}

/** Points the DO alarm at the earliest scheduled job, or clears it when none is left; returns the alarm it left. */
export async function syncAlarm(
  storage: DurableObjectStorage,
  sql: SqlStorage = storage.sql,
): Promise<number | null> {
  takeEarliestWritten(sql);
  const next = earliestDue(sql);
  const current = await storage.getAlarm();
  if (next === undefined) {
    if (current !== null) await storage.deleteAlarm();
    return null;
  }
  // A due time in the past fires at once; the runtime refuses only times <= 0.
  const at = Math.max(next, 1);
  if (current !== at) await storage.setAlarm(at);
  return at;
}
