import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RuleEngine } from "../../workers/business/engine/engine";
import type { JobContext } from "../../workers/business/jobs";
import { runDueJobs } from "../../workers/business/jobs";
import { monitorOf } from "../../workers/definitions/monitor";
import {
  api,
  bodyOf,
  businessWithSource,
  createRule,
  ingest,
  received,
  receiverUrl,
  send,
  settle,
} from "../helpers";

const MIN = 60_000;

describe("the alarm's jobs", () => {
  it("hands an alert a timer opened to the alert index and the Queue in the same alarm run", async () => {
    const { business } = await businessWithSource();
    const path = `/jobs/${business.id}`;
    const channel = await send(
      api.v1.businesses[":id"].channels.$post({
        param: { id: business.id },
        json: { type: "webhook", url: await receiverUrl(path), groupWait: "0s" },
      }),
    );
    expect(channel.status).toBe(201);
    await createRule(business.id, {
      name: "Must report",
      kind: "absence",
      window: "5m",
      groupBy: "routeId",
      expect: ["X"],
    });
    await settle(business.id);
    const stub = monitorOf(env, business.id);
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(`update rule_state set since = since - 10 * ?`, MIN);
      state.storage.sql.exec(`update schedule set due = 1 where kind = 'absence'`);
      // Far ahead, so it does not fire on its own: the one run below is ours.
      await state.storage.setAlarm(Date.now() + 60 * MIN);
    });

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const left = await runInDurableObject(stub, (_i, state) => ({
      outbox: state.storage.sql.exec<{ n: number }>(`select count(*) as n from outbox`).one().n,
      planned: state.storage.sql
        .exec<{ kind: string }>(`select kind from schedule where kind in ('index', 'notify')`)
        .toArray(),
    }));
    expect(left).toEqual({ outbox: 0, planned: [] });
    // Already in the D1 index, with no further alarm run.
    const alerts = bodyOf(
      await send(api.v1.alerts.$get({ query: { businessId: business.id } })),
      200,
    );
    expect(alerts.items.map((a) => a.groupKey)).toEqual(["X"]);
    const [hook] = await received(path);
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({ type: "alert.opened" });
  });

  it("retries a failing job with capped, jittered backoff, counts attempts and shows it in the status", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, [{ routeId: "A", durationMs: 1 }]);
    const stub = monitorOf(env, business.id);
    const down = {
      put: async () => {
        throw new Error("R2 is down");
      },
    } as unknown as R2Bucket;
    const context = (state: DurableObjectState, bucket: R2Bucket): JobContext => ({
      sql: state.storage.sql,
      storage: state.storage,
      env: { ...env, ARCHIVE: bucket },
      engine: { business: { id: business.id } } as RuleEngine,
      alerts: undefined as never,
      notifier: undefined,
      transaction: (work) => state.storage.transactionSync(work),
      announce: async () => {},
      place: { role: "shard", shard: 0 },
      isCurrent: () => true,
    });
    const archiveJob = (state: DurableObjectState) =>
      state.storage.sql
        .exec<{ due: number; attempts: number; last_error: string | null }>(
          `select due, attempts, last_error from schedule where kind = 'archive'`,
        )
        .toArray()[0];

    const delays = await runInDurableObject(stub, async (_i, state) => {
      // Only the archive job runs here (the others would need the whole engine).
      state.storage.sql.exec(`delete from schedule where kind != 'archive'`);
      state.storage.sql.exec(`update schedule set due = 0 where kind = 'archive'`);
      const seen: number[] = [];
      let now = Date.now();
      for (let attempt = 1; attempt <= 12; attempt++) {
        await runDueJobs(context(state, down), now, 100);
        const job = archiveJob(state);
        expect(job).toMatchObject({ attempts: attempt, last_error: "R2 is down" });
        seen.push((job?.due ?? 0) - now);
        now = job?.due ?? now;
      }
      return seen;
    });
    delays.forEach((delay, i) => {
      // 5 s doubling per failure, capped at 10 min; jitter keeps half to all of it.
      const full = Math.min(600_000, 5_000 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    });

    const status = () => send(api.v1.businesses[":id"].status.$get({ param: { id: business.id } }));
    expect(bodyOf(await status(), 200).failingJobs).toEqual([
      {
        kind: "archive",
        key: "",
        attempts: 12,
        lastError: "R2 is down",
        retryAt: expect.any(String),
      },
    ]);

    await runInDurableObject(stub, async (_i, state) => {
      await runDueJobs(context(state, env.ARCHIVE), archiveJob(state)?.due ?? 0, 100);
      expect(archiveJob(state)).toBeUndefined();
    });
    expect(bodyOf(await status(), 200)).toEqual({
      failingJobs: [],
      storage: { bytes: expect.any(Number), events: expect.any(Number), pendingArchive: 0 },
    });
  });
});
