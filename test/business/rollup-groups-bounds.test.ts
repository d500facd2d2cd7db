import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushArchive } from "../../workers/business/archive";
import { pruneEvents } from "../../workers/business/retention";
import { HOUR_MS } from "../../workers/business/rollup";
import {
  GROUP_PAIRS,
  GROUP_ROWS_PER_HOUR,
  groupedFields,
  valuesPerHour,
} from "../../workers/business/rollup-groups";
import { monitorOf } from "../../workers/definitions/monitor";
import { businessWithSource, ingest, rollUpNow, seriesAnswer } from "../helpers";

const DAY = 86_400_000;
const RETENTION = { days: 30, maxEvents: 100_000 };

describe("grouped rollup retention", () => {
  it("drops grouped hours older than 91 days, so a grouped series past them is flagged and the ungrouped one stays whole", async () => {
    const { business, token } = await businessWithSource({ retention: RETENTION });
    const old = Math.floor((Date.now() - 95 * DAY) / HOUR_MS) * HOUR_MS;
    const events = [old, Date.now() - 10 * DAY].flatMap((t) =>
      [0, 1, 2].map((i) => ({
        timestamp: new Date(t + i * 1000).toISOString(),
        routeId: `R${i}`,
        durationMs: i,
      })),
    );
    expect((await ingest(business.id, token, events)).status).toBe(202);
    const stub = monitorOf(env, business.id);
    await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
    });
    await rollUpNow(business.id);
    await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      while (pruneEvents(sql, RETENTION, Date.now()));
      const hours = sql
        .exec<{ hour: number }>(`select distinct hour from rollup_groups order by hour`)
        .toArray();
      expect(hours.map((r) => r.hour)).toEqual([
        Math.floor((Date.now() - 10 * DAY) / HOUR_MS) * HOUR_MS,
      ]);
    });
    const from = old - DAY;
    const grouped = await seriesAnswer(business.id, `bucket=1d&from=${from}&groupBy=routeId`);
    expect(grouped.incompleteBefore).toBe(new Date(old + HOUR_MS).toISOString());
    expect(grouped.items.reduce((a, p) => a + p.count, 0)).toBe(3);
    const whole = await seriesAnswer(business.id, `bucket=1d&from=${from}`);
    expect(whole.incompleteBefore).toBeNull();
    expect(whole.items.reduce((a, p) => a + p.count, 0)).toBe(6);
  }, 60_000);
});

describe("grouped rollup bounds", () => {
  it("fold at most GROUP_PAIRS field pairs and GROUP_ROWS_PER_HOUR rows per hour, whatever the business's shape", () => {
    for (const strings of [1, 3, 20])
      for (const numbers of [0, 1, 3, 15, 16, 40]) {
        const fields = [
          ...Array.from({ length: strings }, (_, i) => ({
            name: `s${i}`,
            type: "string" as const,
          })),
          ...Array.from({ length: numbers }, (_, i) => ({
            name: `n${i}`,
            type: "number" as const,
          })),
        ];
        const rolled = fields.filter((f) => f.type === "number").map((f) => f.name);
        const by = groupedFields({ fields }, rolled);
        expect(by.length * (rolled.length + 1)).toBeLessThanOrEqual(GROUP_PAIRS);
        expect(by.length).toBe(Math.min(strings, Math.floor(GROUP_PAIRS / (numbers + 1))));
        if (by.length > 0)
          expect(
            valuesPerHour(by.length, rolled.length) * by.length * (rolled.length + 1),
          ).toBeLessThanOrEqual(GROUP_ROWS_PER_HOUR);
      }
  });
});
