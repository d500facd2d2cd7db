// The least a durable single-event path can do on this runtime, to set Anom's
// ingest against: parse the body, one RPC to a SQLite-backed Durable Object,
// and (on /write) one INSERT there, committed before the 202 like Anom's.
//   POST /rpc    the RPC only (the object writes nothing)
//   POST /write  the RPC and one row written
import { DurableObject } from "cloudflare:workers";

export class Sink extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "create table if not exists events (seq integer primary key autoincrement, data text not null)",
    );
  }
  noop(event) {
    return { accepted: 1, rejected: [], seen: typeof event };
  }
  write(event) {
    this.ctx.storage.sql.exec("insert into events (data) values (?)", JSON.stringify(event));
    return { accepted: 1, rejected: [] };
  }
}

export default {
  async fetch(request, env) {
    const event = JSON.parse(await request.text());
    const stub = env.SINK.get(env.SINK.idFromName("bench"));
    const path = new URL(request.url).pathname;
    const result = path === "/write" ? await stub.write(event) : await stub.noop(event);
    return Response.json(result, { status: 202 });
  },
};
