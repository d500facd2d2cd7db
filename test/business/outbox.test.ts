import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { syncAlertIndex } from "../../workers/business/alert-index";
import { AlertStore } from "../../workers/business/engine/alerts";
import { database } from "../../workers/lib/db";
import { businessWithSource, createRule, ingest, settle } from "../helpers";

describe("the alert index outbox", () => {
  it("keeps going when an alert changes while D1 is being written (no lost wake-up)", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    await ingest(business.id, token, { routeId: "A", durationMs: 9000 });
    await settle(business.id);
    await runInDurableObject(
      env.BUSINESS.get(env.BUSINESS.idFromName(business.id)),
      async (_i, state) => {
        const sql = state.storage.sql;
        const alertId = sql.exec<{ id: string }>(`select id from alerts`).one().id;
        sql.exec(`insert into outbox (kind, alert_id) values ('index', ?)`, alertId);
        // D1 answers slowly; meanwhile the same object queues another change.
        const db = database(env.DB);
        const write = db.batch.bind(db);
        db.batch = ((queries: Parameters<typeof db.batch>[0]) => {
          sql.exec(`insert into outbox (kind, alert_id) values ('index', ?)`, alertId);
          return write(queries);
        }) as unknown as typeof db.batch;
        const synced = await syncAlertIndex(
          sql,
          db,
          business.id,
          (id) => new AlertStore(sql).get(id),
          () => "Slow",
        );
        expect(synced).toBe(true);
        expect(
          sql.exec<{ n: number }>(`select count(*) as n from outbox where kind = 'index'`).one().n,
        ).toBe(1);
      },
    );
  });
});
