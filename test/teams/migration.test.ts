import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const db = env.MIGRATION_DB;
const teams = env.TEST_MIGRATIONS.findIndex((m) => m.name.startsWith("0005_"));

async function count(table: string): Promise<number> {
  const row = await db.prepare(`select count(*) as n from ${table}`).first<{ n: number }>();
  return row?.n ?? -1;
}

describe("migration 0005 (teams) on a database filled by the previous schema", () => {
  it("puts every existing business into the default workspace and loses no row", async () => {
    expect(teams).toBeGreaterThan(0);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, teams));
    const before = await db
      .prepare(`select name from pragma_table_info('businesses') where name = 'workspace_id'`)
      .first();
    expect(before).toBeNull();

    const now = Date.now();
    await db.batch([
      db.prepare(
        `insert into businesses (id, name) values ('bus_a', 'Camel'), ('bus_b', 'Greenhouse')`,
      ),
      db.prepare(
        `insert into fields (business_id, name, type, position) values ('bus_a', 'routeId', 'string', 0), ('bus_b', 'temperature', 'number', 0)`,
      ),
      db.prepare(
        `insert into sources (id, business_id, name, token_hash, token_prefix) values ('src_a', 'bus_a', 'prod', 'h1', 'p1')`,
      ),
      db.prepare(
        `insert into rules (id, business_id, name, kind, spec) values ('rul_a', 'bus_a', 'Slow', 'immediate', '{"condition":"true"}')`,
      ),
      db.prepare(
        `insert into channels (id, business_id, type, target) values ('chn_a', 'bus_a', 'email', '{"to":"ops@example.com"}')`,
      ),
      db
        .prepare(
          `insert into silences (id, business_id, rule_id, starts_at, created_by) values ('sil_a', 'bus_a', 'rul_a', ?, 'admin')`,
        )
        .bind(now),
      db.prepare(
        `insert into suggestions (id, business_id, fingerprint, rule, rationale, evidence) values ('sug_b', 'bus_b', 'f', '{}', 'why', '{}')`,
      ),
      db
        .prepare(
          `insert into alerts (id, business_id, rule_id, group_key, status, severity, summary, opened_at, last_triggered_at, count, event_time, context, seq)
         values ('alt_a', 'bus_a', 'rul_a', '', 'open', 'warning', 'slow', ?, ?, 1, ?, '{}', 1)`,
        )
        .bind(now, now, now),
    ]);
    const tables = [
      "businesses",
      "fields",
      "sources",
      "rules",
      "channels",
      "silences",
      "suggestions",
      "alerts",
    ];
    const counts = await Promise.all(tables.map(count));

    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    expect(await Promise.all(tables.map(count))).toEqual(counts);
    const owned = await db
      .prepare(`select id, workspace_id as workspaceId from businesses order by id`)
      .all<{ id: string; workspaceId: string }>();
    expect(owned.results).toEqual([
      { id: "bus_a", workspaceId: "wsp_default" },
      { id: "bus_b", workspaceId: "wsp_default" },
    ]);
    const workspace = await db
      .prepare(`select id, name from workspaces`)
      .all<{ id: string; name: string }>();
    expect(workspace.results).toEqual([{ id: "wsp_default", name: "Default" }]);
    // The rows that hang off businesses still join to them (nothing was cascaded away).
    const rule = await db
      .prepare(
        `select r.name, b.workspace_id as w from rules r join businesses b on b.id = r.business_id`,
      )
      .first<{ name: string; w: string }>();
    expect(rule).toEqual({ name: "Slow", w: "wsp_default" });
    const check = await db.prepare(`pragma foreign_key_check`).all();
    expect(check.results).toEqual([]);
  });
});
