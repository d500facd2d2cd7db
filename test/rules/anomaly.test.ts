import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import { type TraitSeries, traitSeries } from "../../bench/anomaly/traits";
import type { DetectorSettings, Sensitivity } from "../../workers/business/engine/anomaly";
import { observe, SENSITIVITY, WARM_UP_POINTS } from "../../workers/business/engine/anomaly";
import { newDetectorState } from "../../workers/business/engine/detector-state";
import {
  alertsOf,
  api,
  type BusinessCreate,
  businessWithSource,
  createRule,
  ingest,
  patchRule,
  problemOf,
  send,
  settle,
  untypedBody,
} from "../helpers";

const HOUR = 3_600_000;
const ZONE = "Europe/Berlin";

/** Runs a series through a fresh detector; returns the times at which an anomaly opened and closed. */
function detect(
  points: { time: number; value: number }[],
  sensitivity: Sensitivity = "medium",
  zone = ZONE,
) {
  const state = newDetectorState();
  const opened: number[] = [];
  const closed: number[] = [];
  for (const p of points) {
    const v = observe(state, p.value, p.time, zone, SENSITIVITY[sensitivity]);
    if (v.opened) opened.push(p.time);
    if (v.recovered) closed.push(p.time);
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
      expect(opened, `seed ${seed}`).toEqual([at]);
      expect(closed.some((t) => t > at && t - at <= 3 * HOUR)).toBe(true);
    }
  });

  it("finds an inverted day, as one alert", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const series = labelledSeries({ type: "seasonal", seed, start });
      const anomaly = series.anomaly ?? { from: 0, to: 0 };
      const { opened } = detect(series.points);
      expect(opened.length, `seed ${seed}`).toBe(1);
      expect(opened[0]).toBeGreaterThanOrEqual(anomaly.from);
      expect(opened[0]).toBeLessThanOrEqual(anomaly.to);
    }
  });

  it("says nothing while warming up, however odd the points", () => {
    const state = newDetectorState();
    for (let i = 0; i < WARM_UP_POINTS; i++) {
      const v = observe(
        state,
        i % 7 === 0 ? 1000 : 20,
        start + i * 600_000,
        ZONE,
        SENSITIVITY.high,
      );
      expect(v).toMatchObject({ warmingUp: true, anomalous: false, opened: false });
    }
  });

  it("keeps a hot spell to one alert, and calls normal readings normal while it closes", () => {
    const series = labelledSeries({ type: "none", seed: 9, start, points: 5 * 144 });
    const state = newDetectorState();
    for (const p of series.points.slice(0, 600))
      observe(state, p.value, p.time, ZONE, SENSITIVITY.medium);
    const verdicts = series.points
      .slice(600)
      .map((p, i) =>
        observe(state, i < 10 ? p.value + 15 : p.value, p.time, ZONE, SENSITIVITY.medium),
      );
    expect(verdicts.filter((v) => v.opened)).toHaveLength(1);
    expect(verdicts[0]?.opened).toBe(true);
    expect(verdicts.slice(0, 10).every((v) => v.anomalous)).toBe(true);
    const recovery = verdicts.findIndex((v) => v.recovered);
    expect(recovery).toBeGreaterThan(10);
    expect(verdicts.slice(10, recovery).filter((v) => v.anomalous)).toEqual([]);
  });

  it("learns a flat series without dividing by zero, and flags the first change", () => {
    const points = Array.from({ length: 800 }, (_, i) => ({ time: start + i * 600_000, value: 5 }));
    points.push({ time: start + 800 * 600_000, value: 6 });
    const { opened } = detect(points);
    expect(opened).toEqual([start + 800 * 600_000]);
  });

  it("counts only deviations in the rule's direction and above its minimum", () => {
    const series = labelledSeries({ type: "none", seed: 5, start, points: 1000 });
    const run = (settings: Partial<DetectorSettings>, bump: number) => {
      const state = newDetectorState();
      return series.points.filter((p, i) => {
        const value = i === 900 ? p.value + bump : p.value;
        return observe(state, value, p.time, ZONE, { ...SENSITIVITY.medium, ...settings }).opened;
      }).length;
    };
    expect(run({}, -8)).toBe(1);
    expect(run({ direction: "up" }, -8)).toBe(0);
    expect(run({ direction: "down" }, -8)).toBe(1);
    expect(run({ minDeviation: 10 }, 8)).toBe(0);
    expect(run({ minRatio: 0.5 }, 8)).toBe(0);
    expect(run({ minRatio: 0.1 }, 8)).toBe(1);
  });
});

describe("the anomaly detector on what real series do", () => {
  const corpus = (trait: string) =>
    // From a Monday, as the benchmark's traits run.
    Array.from({ length: 4 }, (_, i) => traitSeries(trait, 500 + i, Date.UTC(2026, 0, 5)));
  /** Openings after NAB's probation (the first 15% of a series). */
  const late = (s: TraitSeries, sensitivity: Sensitivity = "medium") =>
    // The traits keep UTC working hours: their business's zone is UTC.
    detect(s.points, sensitivity, "UTC").opened.filter(
      (t) => t >= (s.points[Math.floor(s.points.length * 0.15)]?.time ?? 0),
    );

  it("stays quiet on bursty, sparse, square-wave, trending and noise-free series", () => {
    for (const trait of [
      "heavy-tail-clean",
      "square-wave-clean",
      "trend-clean",
      "periodic",
      "flat-clean",
    ]) {
      const series = corpus(trait);
      const points = series.reduce((n, s) => n + s.points.length, 0);
      const alerts = series.reduce((n, s) => n + late(s).length, 0);
      // Fewer than one alert per 1,000 points.
      expect(alerts / points, trait).toBeLessThan(1 / 1000);
    }
  });

  it("finds a working day that never started, a stuck sensor, a step, a storm and an overheat", () => {
    for (const trait of [
      "square-wave",
      "stuck-sensor",
      "steps",
      "counts",
      "irregular",
      "heavy-tail",
    ]) {
      const found = corpus(trait).filter((s) => {
        const [anomaly] = s.anomalies;
        const opened = late(s);
        // One change, one alert: a new level is learnt, not alerted on for days.
        if (trait === "steps") expect(opened.length, s.id).toBe(1);
        return opened.some((t) => t >= (anomaly?.from ?? 0) && t <= (anomaly?.to ?? 0) + 6 * HOUR);
      });
      // A square wave whose first weekend comes while the day is still being
      // learnt can leave the level unsettled for days (docs/profile.md): 3 of 4.
      expect(found.length, trait).toBeGreaterThanOrEqual(trait === "square-wave" ? 3 : 4);
    }
  });
});

describe("anomaly rules", () => {
  const sensorFields: Partial<BusinessCreate> = {
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
      { name: "temperature", type: "number", required: true, unit: "°C" },
    ],
  };

  /** Five days of readings every 10 min from a fixed Tuesday (runs repeat); device A has a spike on day five. */
  function history() {
    const from = start;
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

  it("take a direction and a minimum deviation, refuse bad ones by name, and clear them", async () => {
    const { business } = await businessWithSource(sensorFields);
    const param = { id: business.id };
    const rules = api.v1.businesses[":id"].rules;
    const base = { name: "Hot", kind: "anomaly" as const, field: "temperature" };
    const bad = await send(
      rules.$post({ param, json: untypedBody({ ...base, direction: "sideways" }) }),
    );
    expect(bad.status).toBe(422);
    expect(problemOf(bad).errors?.[0]).toMatchObject({ path: "direction" });
    const negative = await send(
      rules.$post({ param, json: { ...base, minDeviation: { absolute: -1 } } }),
    );
    expect(negative.status).toBe(422);
    expect(problemOf(negative).errors?.[0]).toMatchObject({ path: "minDeviation.absolute" });
    const rule = await createRule(business.id, {
      ...base,
      direction: "up",
      minDeviation: { absolute: 2, relative: 0.1 },
    });
    expect(rule).toMatchObject({ direction: "up", minDeviation: { absolute: 2, relative: 0.1 } });
    const cleared = await patchRule(business.id, rule.id, {
      direction: null,
      minDeviation: null,
    });
    expect(cleared).not.toHaveProperty("direction");
    expect(cleared).not.toHaveProperty("minDeviation");
  });

  it("refuse a non-numeric field and keep learning across a sensitivity change", async () => {
    const { business, token } = await businessWithSource(sensorFields);
    const refused = await send(
      api.v1.businesses[":id"].rules.$post({
        param: { id: business.id },
        json: { name: "x", kind: "anomaly", field: "deviceId" },
      }),
    );
    expect(refused.status).toBe(422);
    expect(problemOf(refused).errors?.[0]).toMatchObject({ path: "field" });
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
          .exec<{ group_key: string; state: string }>(`select group_key, state from anomaly`)
          .toArray()
          .map((row) => `${row.group_key}:${(JSON.parse(row.state) as { n: number }).n}`),
      );
    expect(await learnt()).toEqual([":10"]);
    const patched = await patchRule(business.id, rule.id, { sensitivity: "high" });
    expect(patched).toMatchObject({ kind: "anomaly", sensitivity: "high" });
    expect(await learnt()).toEqual([":10"]);
    await patchRule(business.id, rule.id, { groupBy: "deviceId" });
    // Grouped differently, the series are new: what was learnt goes, and the history is learnt again per device.
    await settle(business.id);
    expect(await learnt()).toEqual(["A:10"]);
  });
});
