// bench/retention/fold.ts: the rollup job's grouped fold (workers/business/rollup-groups.ts)
// over one chunk of events, in Node's SQLite with the object's tables: the statement the
// code runs, against the first version's (every value read once per pair, through a cross
// join with the field lists). Prints the median of 5 runs of each and checks both folded
// the same rows. BENCH_FIELDS' shape: routeId and status grouped, durationMs numeric.
// Usage: npm run bench:fold -- [--events 20000]
import { DatabaseSync } from "node:sqlite";
import { foldStatement } from "../../workers/business/rollup-groups";

const HOUR_MS = 3_600_000;
const at = process.argv.indexOf("--events");
const events = at > 0 ? Number(process.argv[at + 1]) : 20_000;
const by = ["routeId", "status"];
const fields = ["durationMs"];

function database(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec(`create table events (seq integer primary key autoincrement, time integer not null,
      received integer not null, source text not null, data text not null);
    create index events_time_idx on events (time, seq);
    create table rollup_groups (hour integer not null, by text not null, missing integer not null,
      grp text not null, field text not null, e integer not null, n integer not null, total real,
      lo real, hi real, primary key (by, field, hour, missing, grp)) without rowid;
    create table rollup_overflow (hour integer not null, by text not null,
      primary key (hour, by)) without rowid;`);
  const insert = db.prepare(
    "insert into events (time, received, source, data) values (?, ?, 'bench', ?)",
  );
  const start = Date.UTC(2026, 10, 1);
  db.exec("begin");
  for (let i = 0; i < events; i++) {
    const time = start + i * 200;
    const event = {
      timestamp: time,
      routeId: `R${i % 50}`,
      durationMs: (i * 37) % 9000,
      ...(i % 7 ? { status: i % 20 ? "OK" : "FAILED" } : {}),
    };
    insert.run(time, start, JSON.stringify(event));
  }
  db.exec("commit");
  return db;
}

const perPair = `insert into rollup_groups (by, field, hour, missing, grp, e, n, total, lo, hi)
  select b, name, h, g is null, coalesce(g, ''), count(*), count(v), sum(v), min(v), max(v) from (
    select e.time - e.time % ${HOUR_MS} as h, b.value as b, f.value as name,
      cast(json_extract(e.data, '$.' || b.value) as text) as g,
      case when f.value = '' then 1 else json_extract(e.data, '$.' || f.value) end as v
    from events e, json_each(?) b, json_each(?) f
    where e.seq > ? and e.seq <= ? and not exists (
      select 1 from rollup_overflow o where o.hour = e.time - e.time % ${HOUR_MS} and o.by = b.value))
  where true group by b, name, h, g`;

function time(fold: (db: DatabaseSync) => void): { ms: number; rows: string } {
  const runs: number[] = [];
  let rows = "";
  for (let r = 0; r < 5; r++) {
    const db = database();
    const t0 = performance.now();
    fold(db);
    runs.push(performance.now() - t0);
    rows = JSON.stringify(db.prepare("select * from rollup_groups order by 1, 2, 3, 4, 5").all());
  }
  runs.sort((a, b) => a - b);
  return { ms: runs[2] ?? 0, rows };
}

const before = time((db) =>
  db.prepare(perPair).run(JSON.stringify(by), JSON.stringify(["", ...fields]), 0, events),
);
const now = time((db) =>
  db.prepare(foldStatement(by.length, fields.length)).run(0, events, ...by, ...fields),
);
const us = (ms: number) => ((ms * 1000) / events).toFixed(2);
console.log(`grouped fold of ${events} events (2 grouped fields, 1 numeric), median of 5:`);
console.log(
  `  one read per pair (first version): ${before.ms.toFixed(1)} ms, ${us(before.ms)} µs/event`,
);
console.log(`  one read per event (the code's):   ${now.ms.toFixed(1)} ms, ${us(now.ms)} µs/event`);
console.log(`  ${(before.ms / now.ms).toFixed(2)}x; same rows: ${before.rows === now.rows}`);
if (before.rows !== now.rows) process.exitCode = 1;
