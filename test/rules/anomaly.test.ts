import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import type { Sensitivity } from "../../workers/business/engine/anomaly";
import {
  newDetectorState,
  observe,
  SENSITIVITY,
  WARM_UP_MS,
} from "../../workers/business/engine/anomaly";
import { alertsOf, businessWithSource, call, createRule, ingest } from "../helpers";

const HOUR = 3_600_000;
const ZONE = "Europe/Berlin";

/** Runs a series through a fresh detector; returns the times at which an anomaly opened and closed. */
function detect(points: { time: number; value: number }[], sensitivity: Sensitivity = "medium") {
  const state = newDetectorState();
  const opened: number[] = [];
  const closed: number[] = [];
  let open = false;
  for (const p of points) {
    const v = observe(state, p.value, p.time, ZONE, SENSITIVITY[sensitivity]);
    if (v.anomalous && !open) opened.push(p.time);
    if (v.recovered) closed.push(p.time);
    open = state.open;
  }
  return { opened, closed, state };
}

const start = Date.UTC(2026, 8, 1);

describe("the anomaly detector", () => {
  it("stays quiet on noise with a daily cycle", () => {
    const opened = { low: 0, medium: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const series = labelledSeries({ type: "none", seed, start });
      for (const sensitivity of ["low", "medium"] as const) {
        opened[sensitivity] += detect(series.points, sensitivity).opened.length;
      }
    }
    // Twelve weeks of clean readings: nothing at low, at most a stray alert at medium
    // (`npm run bench:anomaly` measures the rates).
    expect(opened.low).toBe(0);
    expect(opened.medium).toBeLessThanOrEqual(1);
  });

  it("finds a spike at the spike, and lets it go after", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const series = labelledSeries({ type: "spike", seed, start });
      const at = series.anomaly?.from ?? 0;
      const { opened, closed } = detect(series.points);
      expect(opened, `seed ${seed}`).toContain(at);
      expect(closed.some((t) => t > at && t - at <= 3 * HOUR)).toBe(true);
    }
  });

  it("finds a level shift within an hour and resolves once the level is back", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const series = labelledSeries({ type: "shift", seed, start });
      const anomaly = series.anomaly ?? { from: 0, to: 0 };
      const { opened, closed } = detect(series.points);
      expect(
        opened.some((t) => t >= anomaly.from && t <= anomaly.from + HOUR),
        `seed ${seed}`,
      ).toBe(true);
      expect(closed.some((t) => t > anomaly.to)).toBe(true);
    }
  });

  it("finds an inverted day and a drift", () => {
    for (const type of ["seasonal", "trend"] as const) {
      for (let seed = 1; seed <= 4; seed++) {
        const series = labelledSeries({ type, seed, start });
        const anomaly = series.anomaly ?? { from: 0, to: 0 };
        const { opened } = detect(series.points);
        expect(
          opened.some((t) => t >= anomaly.from && t <= anomaly.to),
          `${type} seed ${seed}`,
        ).toBe(true);
      }
    }
  });

  it("says nothing while warming up, however odd the points", () => {
    const state = newDetectorState();
    for (let i = 0; i < 200; i++) {
      const v = observe(
        state,
        i % 7 === 0 ? 1000 : 20,
        start + i * 10 * 60_000,
        ZONE,
        SENSITIVITY.high,
      );
      expect(v.anomalous).toBe(false);
      expect(v.warmingUp).toBe(i * 10 * 60_000 < WARM_UP_MS || i < 30);
    }
  });

  it("after a hot spell, calls normal readings normal while the alert waits to close", () => {
    const series = labelledSeries({ type: "none", seed: 9, start, points: 5 * 144 });
    const state = newDetectorState();
    for (const p of series.points.slice(0, 600))
      observe(state, p.value, p.time, ZONE, SENSITIVITY.medium);
    const verdicts = series.points
      .slice(600)
      .map((p, i) =>
        observe(state, i < 10 ? p.value + 15 : p.value, p.time, ZONE, SENSITIVITY.medium),
      );
    expect(verdicts.slice(0, 10).every((v) => v.anomalous)).toBe(true);
    const recovery = verdicts.findIndex((v) => v.recovered);
    expect(recovery).toBeGreaterThan(10);
    // Between the spell and the recovery, no normal reading is reported as anomalous.
    expect(verdicts.slice(10, recovery).filter((v) => v.anomalous)).toEqual([]);
  });

  it("learns a flat series without dividing by zero", () => {
    const points = Array.from({ length: 800 }, (_, i) => ({ time: start + i * 600_000, value: 5 }));
    points.push({ time: start + 800 * 600_000, value: 6 });
    const { opened } = detect(points);
    expect(opened).toEqual([start + 800 * 600_000]);
  });
});

describe("anomaly rules", () => {
  const sensorFields = {
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
      { name: "temperature", type: "number", required: true, unit: "°C" },
    ],
  };

  /** Five days of readings every 10 min, ending an hour ago; device A has a spike on day five. */
  function history() {
    const from = Date.now() - 5 * 24 * HOUR - HOUR;
    const a = labelledSeries({ type: "none", seed: 3, start: from, points: 720 });
    const b = labelledSeries({ type: "none", seed: 4, start: from, points: 720 });
    const spikeAt = 650;
    const spike = a.points[spikeAt];
    if (spike) spike.value += 9;
    const events = a.points.flatMap((p, i) => [
      { timestamp: p.time, deviceId: "A", temperature: p.value },
      { timestamp: b.points[i]?.time, deviceId: "B", temperature: b.points[i]?.value },
    ]);
    return { events, spikeTime: spike?.time ?? 0 };
  }

  it("alert on a spike in one device's readings, sent as backfilled history", async () => {
    const { business, token } = await businessWithSource(sensorFields);
    const rule = await createRule(business.id, {
      name: "Odd temp",
      kind: "anomaly",
      field: "temperature",
      groupBy: "deviceId",
      sensitivity: "medium",
      // History sent at once: the detector is under test here, not keep-firing.
      keepFiringFor: "0s",
    });
    const { events, spikeTime } = history();
    const res = await ingest(business.id, token, events);
    expect(res.status).toBe(202);

    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({ ruleId: rule.id, groupKey: "A", status: "resolved" });
    expect(Date.parse(alert?.eventTime ?? "")).toBe(spikeTime);
    expect(alert?.summary).toMatch(/^A: temperature = [\d.]+ is unusual: expected [\d.]+/);
    expect(alert?.context).toMatchObject({ anomaly: "spike" });
    expect(alert?.resolution).toMatch(/back to normal/);
  });

  it("raises the same alerts whether history arrives at once or event by event", async () => {
    const { events } = history();
    const outcomes: unknown[] = [];
    for (const batchSize of [events.length, 37]) {
      const { business, token } = await businessWithSource(sensorFields);
      await createRule(business.id, {
        name: "Odd temp",
        kind: "anomaly",
        field: "temperature",
        groupBy: "deviceId",
        sensitivity: "high",
      });
      for (let i = 0; i < events.length; i += batchSize) {
        expect((await ingest(business.id, token, events.slice(i, i + batchSize))).status).toBe(202);
        // Small batches also lose the object's memory now and then: state must come back from storage.
        if (batchSize < events.length && i % (batchSize * 10) === 0) {
          const stub = env.BUSINESS.get(env.BUSINESS.idFromName(business.id));
          await evictDurableObject(stub);
        }
      }
      const alerts = await alertsOf(business.id);
      expect(alerts.length).toBeGreaterThan(0);
      outcomes.push(
        alerts
          .map((a) => ({
            group: a.groupKey,
            eventTime: a.eventTime,
            summary: a.summary,
            status: a.status,
            count: a.count,
          }))
          .sort((x, y) => x.eventTime.localeCompare(y.eventTime)),
      );
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it("refuse a non-numeric field and keep learning across a sensitivity change", async () => {
    const { business, token } = await businessWithSource(sensorFields);
    const refused = await call("POST", `/v1/businesses/${business.id}/rules`, {
      body: { name: "x", kind: "anomaly", field: "deviceId" },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.errors[0]).toMatchObject({ path: "field" });
    const rule = await createRule(business.id, {
      name: "Odd",
      kind: "anomaly",
      field: "temperature",
    });
    const readings = Array.from({ length: 10 }, (_, i) => ({
      timestamp: Date.now() - (10 - i) * 60_000,
      deviceId: "A",
      temperature: 20 + i / 10,
    }));
    expect((await ingest(business.id, token, readings)).status).toBe(202);
    const learnt = () =>
      runInDurableObject(env.BUSINESS.get(env.BUSINESS.idFromName(business.id)), (_o, state) =>
        state.storage.sql
          .exec<{ state: string }>(`select state from anomaly`)
          .toArray()
          .map((row) => (JSON.parse(row.state) as { n: number }).n),
      );
    expect(await learnt()).toEqual([10]);
    const patched = await call("PATCH", `/v1/businesses/${business.id}/rules/${rule.id}`, {
      body: { sensitivity: "high" },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ kind: "anomaly", sensitivity: "high" });
    expect(await learnt()).toEqual([10]);
    // Grouped differently, the series are new: what was learnt goes.
    expect(
      (
        await call("PATCH", `/v1/businesses/${business.id}/rules/${rule.id}`, {
          body: { groupBy: "deviceId" },
        })
      ).status,
    ).toBe(200);
    expect(await learnt()).toEqual([]);
  });
});
