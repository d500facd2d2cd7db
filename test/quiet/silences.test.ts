import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SilenceWindow } from "../../workers/business/quiet/window";
import {
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createChannel,
  createRule,
  createSilence,
  expectStatus,
  ingest,
  received,
  receiverUrl,
  type SilenceCreate,
  send,
  settle,
  statusOf,
  untypedBody,
} from "../helpers";
import { planned, route, stubOf } from "./support";

let counter = 0;

interface Hook {
  type: string;
  data: { id: string; ruleId: string; groupKey: string; status: string; silenced: boolean };
}

/**
 * A business with a webhook channel, a "Slow" rule (what is silenced) and a
 * "Failed" rule whose alerts are never silenced: the sentinel that shows the
 * channel's earlier messages had their chance to arrive.
 */
async function setUp() {
  const { business, token } = await businessWithSource();
  const path = `/quiet-${Date.now()}-${++counter}`;
  const channel = await createChannel(business.id, {
    type: "webhook",
    url: await receiverUrl(path),
    groupWait: "0s",
  });
  const slow = await createRule(business.id, {
    name: "Slow",
    kind: "immediate",
    condition: "durationMs > 5000",
    groupBy: "routeId",
    keepFiringFor: "0s",
  });
  const failed = await createRule(business.id, {
    name: "Failed",
    kind: "immediate",
    condition: "status == 'FAILED'",
    groupBy: "routeId",
    keepFiringFor: "0s",
  });
  let sentinels = 0;
  /** Everything the channel received, once the sentinel's alert.opened arrived after it. */
  const hooks = async (): Promise<Hook[]> => {
    sentinels += 1;
    await ingest(business.id, token, { ...route(`SENTINEL-${sentinels}`, 1), status: "FAILED" });
    await settle(business.id);
    for (let i = 0; i < 80; i++) {
      const got = (await received(path, 0, 0)).map((r) => JSON.parse(r.body) as Hook);
      if (got.some((h) => h.data.groupKey === `SENTINEL-${sentinels}`))
        return got.filter((h) => !h.data.groupKey.startsWith("SENTINEL"));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the sentinel never arrived");
  };
  const silence = (body: SilenceCreate) => createSilence(business.id, body);
  return {
    business,
    token,
    slow,
    failed,
    channelId: channel.id,
    hooks,
    silence,
  };
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe("silences API", () => {
  it("creates, lists, reads, changes and deletes silences, and refuses bad ones naming the field", async () => {
    const { business, slow } = await setUp();
    const silences = api.v1.businesses[":id"].silences;
    const created = await send(
      silences.$post({
        param: { id: business.id },
        json: {
          matchers: { ruleId: slow.id, groupKey: "A" },
          endsAt: inAnHour(),
          comment: "deploying",
          createdBy: "ops@example.com",
        },
      }),
    );
    expectStatus(created, 201);
    expect(created.json).toMatchObject({
      matchers: { ruleId: slow.id, groupKey: "A" },
      comment: "deploying",
      createdBy: "ops@example.com",
      active: true,
      schedule: null,
    });
    expect(created.json.nextOccurrences).toHaveLength(1);
    const id = created.json.id;
    const param = { id: business.id, silenceId: id };
    const list = await send(silences.$get({ param: { id: business.id } }));
    expect(bodyOf(list, 200).items.map((s) => s.id)).toEqual([id]);
    expect(bodyOf(await send(silences[":silenceId"].$get({ param })), 200).id).toBe(id);
    const changed = await send(
      silences[":silenceId"].$patch({
        param,
        json: { comment: "still deploying", matchers: { groupKey: "B" } },
      }),
    );
    expect(bodyOf(changed, 200)).toMatchObject({
      comment: "still deploying",
      matchers: { groupKey: "B" },
    });

    for (const [body, path] of [
      [{ matchers: { ruleId: slow.id } }, "endsAt"],
      [{ matchers: {}, endsAt: inAnHour() }, "matchers"],
      [{ matchers: { ruleId: "rul_nope" }, endsAt: inAnHour() }, "matchers.ruleId"],
      [
        { matchers: { groupKey: "A" }, schedule: { rrule: "FREQ=SOMETIMES", duration: "1h" } },
        "schedule.rrule",
      ],
      [
        { matchers: { groupKey: "A" }, schedule: { rrule: "FREQ=DAILY", duration: "1x" } },
        "schedule.duration",
      ],
      [{ matchers: { groupKey: "A" }, endsAt: "yesterday" }, "endsAt"],
    ] as const) {
      const res = await send(
        silences.$post({ param: { id: business.id }, json: untypedBody(body) }),
      );
      expect(res.status, JSON.stringify(body)).toBe(422);
      expectStatus(res, 422);
      expect(res.json.errors?.map((e) => e.path)).toContain(path);
    }
    const other = await businessWithSource();
    expect(
      await statusOf(
        silences[":silenceId"].$get({ param: { id: other.business.id, silenceId: id } }),
      ),
    ).toBe(404);
    expect(await statusOf(silences[":silenceId"].$delete({ param }))).toBe(204);
    expect(await statusOf(silences[":silenceId"].$get({ param }))).toBe(404);
  });

  it("previews a recurring schedule in the business's time zone", async () => {
    const { business } = await setUp();
    const res = await createSilence(business.id, {
      matchers: { groupKey: "A" },
      schedule: { rrule: "FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0", duration: "2h" },
    });
    const next = res.nextOccurrences;
    expect(next).toHaveLength(5);
    for (const o of next) {
      const start = new Date(o.startsAt);
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(start);
      expect(local).toBe("Sat 02:00");
      expect(Date.parse(o.endsAt) - start.getTime()).toBe(2 * 3_600_000);
    }
  });
});

describe("recurring windows", () => {
  it("repeats at the same local time across a DST change", () => {
    const window = new SilenceWindow(
      {
        id: "s",
        ruleId: null,
        groupKey: "A",
        startsAt: Date.parse("2026-10-20T00:00:00Z"),
        endsAt: null,
        rrule: "FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0",
        durationMs: 2 * 3_600_000,
      },
      "Europe/Berlin",
    );
    // Summer time until 25 October 2026: 02:00 is 00:00 UTC before, 01:00 UTC after.
    expect(window.activeAt(Date.parse("2026-10-24T00:30:00Z"))).toBe(true);
    expect(window.activeAt(Date.parse("2026-10-24T02:30:00Z"))).toBe(false);
    expect(window.activeAt(Date.parse("2026-10-31T00:30:00Z"))).toBe(false);
    expect(window.activeAt(Date.parse("2026-10-31T01:30:00Z"))).toBe(true);
    expect(window.nextChange(Date.parse("2026-10-24T03:00:00Z"))).toBe(
      Date.parse("2026-10-31T01:00:00Z"),
    );
    expect(window.nextChange(Date.parse("2026-10-31T01:30:00Z"))).toBe(
      Date.parse("2026-10-31T03:00:00Z"),
    );
    expect(window.occurrences(Date.parse("2026-10-20T00:00:00Z"), 2)).toEqual([
      { start: Date.parse("2026-10-24T00:00:00Z"), end: Date.parse("2026-10-24T02:00:00Z") },
      { start: Date.parse("2026-10-31T01:00:00Z"), end: Date.parse("2026-10-31T03:00:00Z") },
    ]);
  });
});

describe("recurring silences on the DO alarm", () => {
  it("plan the alarm at the local time of the next occurrence, across a DST change", async () => {
    const s = await setUp();
    // Created in winter (UTC+1); the first occurrence is the Sunday summer time starts (UTC+2).
    await s.silence({
      matchers: { ruleId: s.slow.id },
      startsAt: "2027-03-22T00:00:00Z",
      schedule: { rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0", duration: "1h" },
    });
    await s.silence({
      matchers: { ruleId: s.slow.id },
      startsAt: "2027-03-15T00:00:00Z",
      endsAt: "2027-03-22T00:00:00Z",
      schedule: { rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0", duration: "1h" },
    });
    const [next] = await planned(s.business.id, "silence");
    // The earliest boundary: 21 March 03:00 CET.
    expect(next?.due).toBe(Date.parse("2027-03-21T02:00:00Z"));
    const list = bodyOf(
      await send(api.v1.businesses[":id"].silences.$get({ param: { id: s.business.id } })),
      200,
    ).items;
    expect(list.map((x) => x.nextOccurrences[0]?.startsAt).sort()).toEqual([
      "2027-03-21T02:00:00.000Z",
      "2027-03-28T01:00:00.000Z",
    ]);
    // Nothing is silenced before then.
    await ingest(s.business.id, s.token, route("A", 9000));
    expect((await alertsOf(s.business.id, `ruleId=${s.slow.id}`))[0]?.silenced).toBe(false);
  });
});

describe("silenced alerts", () => {
  it("open and resolve as usual, marked silenced, and notify nobody", async () => {
    const s = await setUp();
    await s.silence({ matchers: { ruleId: s.slow.id }, endsAt: inAnHour() });
    await ingest(s.business.id, s.token, route("A", 9000));
    const [open] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(open).toMatchObject({ status: "open", silenced: true, inhibited: false });
    await ingest(s.business.id, s.token, route("A", 10));
    const [resolved] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(resolved).toMatchObject({ status: "resolved", silenced: true });
    expect(await s.hooks()).toEqual([]);
  });

  it("a recurring silence (a daily window in the business's time zone) silences too", async () => {
    const s = await setUp();
    const silence = await s.silence({
      matchers: { groupKey: "A" },
      schedule: { rrule: "FREQ=DAILY", duration: "1d" },
    });
    expect(silence.active).toBe(true);
    await ingest(s.business.id, s.token, [route("A", 9000), route("B", 9000)]);
    const alerts = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(Object.fromEntries(alerts.map((a) => [a.groupKey, a.silenced]))).toEqual({
      A: true,
      B: false,
    });
    expect((await s.hooks()).map((h) => [h.type, h.data.groupKey])).toEqual([
      ["alert.opened", "B"],
    ]);
  });

  it("are notified when the silence ends (on the DO alarm, across an eviction) if still open", async () => {
    const s = await setUp();
    const endsAt = Date.now() + 2500;
    await s.silence({
      matchers: { ruleId: s.slow.id, groupKey: "A" },
      endsAt: new Date(endsAt).toISOString(),
    });
    await ingest(s.business.id, s.token, route("A", 9000));
    expect((await alertsOf(s.business.id, `ruleId=${s.slow.id}`))[0]?.silenced).toBe(true);
    const [end] = await planned(s.business.id, "silence");
    expect(end?.due).toBe(endsAt);

    await evictDurableObject(stubOf(s.business.id));
    await new Promise((r) => setTimeout(r, Math.max(0, endsAt - Date.now() + 50)));
    await runDurableObjectAlarm(stubOf(s.business.id));
    const [alert] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(alert).toMatchObject({ status: "open", silenced: false });
    const hooks = await s.hooks();
    expect(hooks.map((h) => [h.type, h.data.id, h.data.silenced])).toEqual([
      ["alert.opened", alert?.id, false],
    ]);
  });

  it("are notified at once when their silence is deleted", async () => {
    const s = await setUp();
    const silence = await s.silence({ matchers: { groupKey: "A" }, endsAt: inAnHour() });
    await ingest(s.business.id, s.token, route("A", 9000));
    await settle(s.business.id);
    const deleted = api.v1.businesses[":id"].silences[":silenceId"].$delete({
      param: { id: s.business.id, silenceId: silence.id },
    });
    expect(await statusOf(deleted)).toBe(204);
    expect((await s.hooks()).map((h) => h.type)).toEqual(["alert.opened"]);
  });

  it("snooze silences the alert's rule and key for the duration", async () => {
    const s = await setUp();
    await ingest(s.business.id, s.token, route("A", 9000));
    const [alert] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    const snoozeFor = (json: { for: string }) =>
      send(api.v1.alerts[":id"].snooze.$post({ param: { id: alert?.id ?? "" }, json }));
    const snooze = await snoozeFor({ for: "1h" });
    expectStatus(snooze, 201);
    expect(snooze.json).toMatchObject({
      matchers: { ruleId: s.slow.id, groupKey: "A" },
      active: true,
    });
    expect(Date.parse(snooze.json.endsAt ?? "") - Date.parse(snooze.json.startsAt)).toBe(3_600_000);
    expect((await snoozeFor({ for: "soon" })).status).toBe(422);

    const [now] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(now?.silenced).toBe(true);
    // Its resolution still reaches the channel that heard of its opening.
    await ingest(s.business.id, s.token, [route("A", 10), route("A", 9000), route("B", 9000)]);
    const alerts = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    const open = alerts.filter((a) => a.status === "open").map((a) => [a.groupKey, a.silenced]);
    expect(open.sort()).toEqual([
      ["A", true],
      ["B", false],
    ]);
    expect((await s.hooks()).map((h) => [h.type, h.data.groupKey])).toEqual([
      ["alert.opened", "A"],
      ["alert.resolved", "A"],
      ["alert.opened", "B"],
    ]);
  });
});
