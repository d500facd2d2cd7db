import { ANALYTICS_INTERVAL_MS } from "./analytics";
import { ARCHIVE_BATCH, ARCHIVE_DELAY_MS, archivedSeq } from "./archive";
import { PRUNE_INTERVAL_MS, PRUNE_MIN_INTERVAL_MS } from "./retention";
import { ROLLUP_DELAY_MS } from "./rollup";
import { scheduleAtMost } from "./schedule";

/** The jobs every ingest makes sure of; see `HousekeepingPlan.plan`. */
const HOUSEKEEPING = ["archive", "analytics", "rollup", "prune"] as const;

/** What is known to be stored for the housekeeping jobs, so an ingest writes only what moves earlier. */
interface Housekeeping {
  archivedSeq: number;
  /** The oldest event kept (0: none), so an ingest can tell when the object holds far more than `maxEvents`. */
  firstSeq: number;
  due: Map<string, number>;
}

/**
 * Archive, analytics, rollup and prune runs follow every ingest. The plan mirrors the
 * stored housekeeping rows; `forget` drops the mirror whenever they may change
 * behind it (alarm, failure).
 */
export class HousekeepingPlan {
  private known: Housekeeping | undefined;

  constructor(private readonly sql: SqlStorage) {}

  forget(): void {
    this.known = undefined;
  }

  /** Usually the runs are already planned at an earlier or equal time: then nothing is written. */
  plan(lastSeq: number, now: number, maxEvents: number): void {
    this.known ??= this.read();
    const { archivedSeq: archived, firstSeq, due } = this.known;
    // Far more kept than `maxEvents` (a burst): prune within seconds, not in a quarter of an hour.
    const crowded = lastSeq - Math.max(firstSeq, 1) + 1 > maxEvents * 1.1;
    const wanted: Record<(typeof HOUSEKEEPING)[number], number> = {
      archive: lastSeq - archived >= ARCHIVE_BATCH ? now : now + ARCHIVE_DELAY_MS,
      analytics: now + ANALYTICS_INTERVAL_MS,
      rollup: now + ROLLUP_DELAY_MS,
      prune: now + (crowded ? PRUNE_MIN_INTERVAL_MS : PRUNE_INTERVAL_MS),
    };
    for (const kind of HOUSEKEEPING) {
      const planned = due.get(kind);
      if (planned !== undefined && planned <= wanted[kind]) continue;
      scheduleAtMost(this.sql, kind, "", wanted[kind]);
      due.set(kind, wanted[kind]);
    }
  }

  private read(): Housekeeping {
    const due = new Map<string, number>();
    for (const row of this.sql.exec<{ kind: string; due: number }>(
      `select kind, due from schedule where key = '' and kind in (select value from json_each(?))`,
      JSON.stringify(HOUSEKEEPING),
    )) {
      due.set(row.kind, row.due);
    }
    const first = this.sql
      .exec<{ first: number | null }>(`select min(seq) as first from events`)
      .one().first;
    return { archivedSeq: archivedSeq(this.sql), firstSeq: first ?? 0, due };
  }
}
