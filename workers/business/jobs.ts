import { database } from "../lib/db";
import { syncAlertIndex } from "./alert-index";
import { writeAnalytics } from "./analytics";
import { flushArchive } from "./archive";
import { ENGINE_JOBS } from "./engine/timers";
import { JOB_GROUP } from "./grouping";
import type { JobContext, Outcome } from "./job-context";
import { sendQueued } from "./notices";
import { JOB_RENOTIFY, JOB_SILENCE } from "./notifications";
import { replayStep } from "./replay";
import { nextPruneDelay, pruneEvents } from "./retention";
import { pushActivity, ROLLUP_CHUNK, rolledFields, rollUp } from "./rollup";
import { groupedFields } from "./rollup-groups";
import type { Due } from "./schedule";
import { dueJobs, failedJob, scheduleAt, unschedule } from "./schedule";
import {
  JOB_INHIBIT_PUSH,
  JOB_SHARD_PUSH,
  PUSH_INTERVAL_MS,
  pushToCoordinator,
  pushToShards,
} from "./shards/push";
import { gatherFromShards, replayAcross } from "./shards/replay";

export type { JobContext, Outcome };

export interface Backoff {
  /** First retry delay; each further failure doubles it, up to `capMs`, with jitter. */
  baseMs: number;
  capMs: number;
}

/** A rule or notification timer: runs inside the alarm's one transaction, with its siblings. */
interface TimerJob {
  inTransaction: true;
  run(ctx: JobContext, key: string, now: number): void;
}

/** I/O with the outside (D1, R2, the Queue): runs after the timers and retries with backoff. */
interface WorkJob {
  inTransaction: false;
  run(ctx: JobContext, now: number): Promise<Outcome>;
  retry: Backoff;
}

export type Job = TimerJob | WorkJob;

const IO_RETRY: Backoff = { baseMs: 5_000, capMs: 10 * 60_000 };
const more = (again: boolean): Outcome => (again ? "again" : "done");

/** Every kind of job a business's object runs, by the name its schedule rows carry. */
export const jobs: Record<string, Job> = {
  ...Object.fromEntries(
    ENGINE_JOBS.map((kind) => [
      kind,
      { inTransaction: true, run: (ctx, key, now) => ctx.engine.runTimer(kind, key, now) },
    ]),
  ),
  [JOB_RENOTIFY]: {
    inTransaction: true,
    run: (ctx, key, now) =>
      ctx.notifier ? ctx.notifier.renotify(key, now) : unschedule(ctx.sql, JOB_RENOTIFY, key),
  },
  [JOB_GROUP]: {
    inTransaction: true,
    run: (ctx, key, now) =>
      ctx.notifier ? ctx.notifier.flushGroup(key, now) : unschedule(ctx.sql, JOB_GROUP, key),
  },
  [JOB_SILENCE]: {
    inTransaction: true,
    run: (ctx, _key, now) => {
      unschedule(ctx.sql, JOB_SILENCE);
      ctx.notifier?.refresh(now);
    },
  },
  index: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx) => more(await syncIndex(ctx)),
  },
  notify: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx) => more(await sendQueued(ctx.sql, ctx.env.NOTIFICATIONS)),
  },
  archive: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx) =>
      more(await flushArchive(ctx.storage, ctx.env.ARCHIVE, ctx.engine.business.id)),
  },
  replay: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx, now) =>
      more(
        ctx.place.role === "coordinator"
          ? await replayAcross(ctx, now, gatherFromShards(ctx))
          : await replayStep(
              ctx.sql,
              ctx.env.ARCHIVE,
              ctx.engine,
              ctx.transaction,
              now,
              ctx.isCurrent,
            ),
      ),
  },
  analytics: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx) => {
      writeAnalytics(ctx.sql, ctx.env.EVENTS, ctx.engine.business);
      return "done";
    },
  },
  rollup: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx, now) => {
      const fields = rolledFields(ctx.engine.business);
      const by = groupedFields(ctx.engine.business, fields);
      const again = rollUp(ctx.storage, fields, ROLLUP_CHUNK, by);
      const shard = ctx.place.role === "shard" ? ctx.place.shard : 0;
      const more = await pushActivity(ctx.sql, ctx.env.DB, ctx.engine.business.id, now, shard);
      return again || more ? "again" : "done";
    },
  },
  [JOB_SHARD_PUSH]: {
    inTransaction: false,
    retry: { baseMs: PUSH_INTERVAL_MS, capMs: 60_000 },
    run: (ctx, now) => pushToCoordinator(ctx, now),
  },
  [JOB_INHIBIT_PUSH]: {
    inTransaction: false,
    retry: { baseMs: PUSH_INTERVAL_MS, capMs: 60_000 },
    run: (ctx) => pushToShards(ctx),
  },
  prune: {
    inTransaction: false,
    retry: IO_RETRY,
    run: async (ctx, now) =>
      pruneEvents(ctx.sql, ctx.engine.business.retention, now)
        ? "again"
        : now + nextPruneDelay(ctx.sql, ctx.engine.business.retention, now),
  },
};

/** Copies alert changes to D1 now, outside the alarm; on failure the alarm's own job retries. */
export async function syncIndexNow(ctx: JobContext): Promise<void> {
  try {
    if (!(await syncIndex(ctx))) unschedule(ctx.sql, "index");
  } catch (error) {
    console.error(
      `business ${ctx.engine.business.id}: alert index sync failed, the alarm retries`,
      error,
    );
  }
}

/** Copies queued alert changes to D1; watchers hear of them once they are there. Returns whether more wait. */
export async function syncIndex(
  ctx: Pick<JobContext, "sql" | "env" | "engine" | "alerts" | "announce">,
): Promise<boolean> {
  const { sql, engine } = ctx;
  const again = await syncAlertIndex(
    sql,
    database(ctx.env.DB),
    engine.business.id,
    (id) => ctx.alerts.get(id),
    (ruleId) => engine.ruleName(ruleId),
  );
  await ctx.announce();
  return again;
}

/**
 * One alarm run: the due timers first, all in one transaction (they are the
 * latency that matters), then the due I/O jobs. The schedule is read again
 * after the timers: the commit planned a job now for each outbox kind they
 * filled (commit.ts), so a transition reaches D1 and the Queue in this same
 * run, while a job waiting out its backoff stays put.
 */
export async function runDueJobs(ctx: JobContext, now: number, limit: number): Promise<void> {
  ctx.transaction(() => {
    for (const row of dueJobs(ctx.sql, now, limit)) {
      const job = jobs[row.kind];
      if (!job) {
        console.warn(`business ${ctx.engine.business.id}: unknown job ${row.kind} dropped`);
        unschedule(ctx.sql, row.kind, row.key);
      } else if (job.inTransaction) job.run(ctx, row.key, now);
    }
  });
  const work = dueJobs(ctx.sql, Math.max(now, Date.now()), limit).filter(
    (row) => jobs[row.kind]?.inTransaction === false,
  );
  for (const row of work) await runWork(ctx, row, now);
}

async function runWork(ctx: JobContext, row: Due, now: number): Promise<void> {
  const job = jobs[row.kind] as WorkJob;
  try {
    const outcome = await job.run(ctx, now);
    if (outcome === "done") unschedule(ctx.sql, row.kind, row.key);
    else scheduleAt(ctx.sql, row.kind, row.key, outcome === "again" ? now : outcome);
  } catch (error) {
    const attempts = failedJob(ctx.sql, row, now, error, job.retry);
    console.error(
      `business ${ctx.engine.business.id}: job ${row.kind} failed (attempt ${attempts}), retrying with backoff`,
      error,
    );
  }
}
