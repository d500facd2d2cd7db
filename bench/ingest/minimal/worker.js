// The least a durable single-event path can do on this runtime, to set Anom's
// ingest against: parse the body, one RPC to a SQLite-backed Durable Object,
// and (on /write) one INSERT there, committed before the 202 like Anom's.
//   POST /parse    the body parsed, no RPC (not durable: what the edge alone costs)
//   POST /rpc      the RPC only (the object writes nothing)
//   POST /write    the RPC and one row written
//   POST /rows     (a batch) the RPC and each event its own row, as Anom stores
//                  them: time, receipt, source and data, indexed by (time, seq)
//   POST /grouped  group commit: requests that arrive while a call is in flight
//                  wait and go together in the next one (one INSERT of them all);
//                  each is answered once its call returned, so still durable first
import { DurableObject } from "cloudflare:workers";

export class Sink extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "create table if not exists events (seq integer primary key autoincrement, data text not null)",
    );
    ctx.storage.sql.exec(
      `create table if not exists rows (seq integer primary key autoincrement, time integer not null,
         received integer not null, source text not null, data text not null)`,
    );
    ctx.storage.sql.exec("create index if not exists rows_time_idx on rows (time, seq)");
  }
  noop(event) {
    return { accepted: 1, rejected: [], seen: typeof event };
  }
  write(event) {
    this.ctx.storage.sql.exec("insert into events (data) values (?)", JSON.stringify(event));
    return { accepted: 1, rejected: [] };
  }
  writeRows(events) {
    this.ctx.storage.sql.exec(
      `insert into rows (time, received, source, data)
         select value ->> '$.timestamp', ?, 'bench', value from json_each(?)`,
      Date.now(),
      JSON.stringify(events),
    );
    return { accepted: events.length, rejected: [] };
  }
  writeMany(events) {
    this.ctx.storage.sql.exec(
      "insert into events (data) select value from json_each(?)",
      JSON.stringify(events),
    );
    return { accepted: events.length };
  }
}

/**
 * Group commit in the isolate, as Anom's (workers/ingest/group.ts) without its
 * timeouts: one call in flight; the first request to arrive meanwhile leads the
 * next group (the runtime ties I/O to the request that issues it), the others
 * join it and are answered when its call returned.
 */
let inFlight = null;
let open = null;
async function sendGrouped(env, event) {
  if (open) {
    const { promise, resolve, reject } = Promise.withResolvers();
    open.members.push({ event, resolve, reject });
    return promise;
  }
  const group = { members: [{ event, resolve() {}, reject() {} }] };
  if (inFlight) {
    open = group;
    await inFlight.catch(() => {});
    if (open === group) open = null;
  }
  const stub = env.SINK.get(env.SINK.idFromName("bench"));
  const call = stub.writeMany(group.members.map((m) => m.event));
  inFlight = call;
  try {
    await call;
    for (const m of group.members) m.resolve();
  } catch (err) {
    for (const m of group.members) m.reject(err);
    throw err;
  } finally {
    if (inFlight === call) inFlight = null;
  }
}

export default {
  async fetch(request, env) {
    const event = JSON.parse(await request.text());
    const path = new URL(request.url).pathname;
    if (path === "/parse") return Response.json({ accepted: 1, rejected: [] }, { status: 202 });
    if (path === "/grouped") {
      await sendGrouped(env, event);
      return Response.json({ accepted: 1, rejected: [] }, { status: 202 });
    }
    const stub = env.SINK.get(env.SINK.idFromName("bench"));
    const result =
      path === "/write"
        ? await stub.write(event)
        : path === "/rows"
          ? await stub.writeRows(event)
          : await stub.noop(event);
    return Response.json(result, { status: 202 });
  },
};
