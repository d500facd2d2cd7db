import type { NewEvent } from "./events";

/** What a heartbeat ping says about a job run, for measuring its duration. */
export interface JobPing {
  slug: string;
  /** Healthchecks' `rid`: tells overlapping runs of one job apart ("" when not sent). */
  runId: string;
  phase: "start" | "end" | "other";
  /** The field that receives the run's duration in ms, or null when the business has none. */
  durationField: string | null;
}

/** A start older than this is a run that never reported its end: it measures nothing. */
const MAX_RUN_MS = 7 * 86_400_000;

/**
 * Notes a run's start, or measures a run's end from its matching start and
 * writes the duration into the ping's event. Runs inside the ingest
 * transaction, so the start is durable with its event.
 */
export function trackJobRun(sql: SqlStorage, job: JobPing, event: NewEvent, receivedAt: number) {
  if (job.phase === "start") {
    sql.exec(
      `insert into job_runs (slug, run_id, started) values (?, ?, ?)
       on conflict (slug, run_id) do update set started = excluded.started`,
      job.slug,
      job.runId,
      receivedAt,
    );
    sql.exec(`delete from job_runs where started < ?`, receivedAt - MAX_RUN_MS);
    return;
  }
  if (job.phase !== "end") return;
  const start = sql
    .exec<{ started: number }>(
      `delete from job_runs where slug = ? and run_id = ? returning started`,
      job.slug,
      job.runId,
    )
    .toArray()[0];
  if (start && job.durationField && receivedAt - start.started <= MAX_RUN_MS) {
    event.data[job.durationField] = receivedAt - start.started;
  }
}
