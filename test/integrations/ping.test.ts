import { evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { missedRunRule } from "../../schema/contracts/templates";
import { MAX_PING_BODY_BYTES } from "../../workers/ingest/limits";
import {
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createRule,
  createSource,
  listEvents,
  problemOf,
  type RuleCreate,
  raw,
  send,
  settle,
  statusOf,
} from "../helpers";
import { fastForward, MIN, planned, stubOf } from "../quiet/support";

let n = 0;

/** A business made from the jobs template, with a source token for its pings. */
async function jobsBusiness(timezone = "Europe/Berlin") {
  n += 1;
  const res = await applyTemplate("jobs", { name: `Nightly jobs ${n}`, timezone });
  const { business, rules } = bodyOf(res, 201);
  const { token } = await createSource(business.id, "cron");
  return { id: business.id, token, rules };
}

/** POST /v1/templates/{template}/businesses. */
const applyTemplate = (template: "jobs", json: { name: string; timezone?: string }) =>
  send(api.v1.templates[":template"].businesses.$post({ param: { template }, json }));

/** POST /v1/businesses/{id}/rules, answered as it is. */
const postRule = (id: string, json: RuleCreate) =>
  send(api.v1.businesses[":id"].rules.$post({ param: { id }, json }));

async function ping(path: string, init: RequestInit = {}) {
  const res = await SELF.fetch(`http://anom.test/ping/${path}`, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

type Data = Record<string, unknown>;
const dataOf = async (id: string) => (await listEvents(id)).items.map((e) => e.data as Data);

describe("the jobs template", () => {
  it("is listed with its fields and rules", async () => {
    const res = await send(api.v1.templates.$get());
    const jobs = bodyOf(res, 200).items.find((t) => t.id === "jobs");
    expect(jobs?.fields.map((f) => f.name)).toEqual([
      "timestamp",
      "slug",
      "kind",
      "exitCode",
      "durationMs",
      "log",
    ]);
    expect(jobs?.rules.map((r) => r.kind)).toEqual(["immediate", "anomaly"]);
  });

  it("creates a business with those fields and rules", async () => {
    const { id, rules } = await jobsBusiness();
    expect(rules.map((r) => r.name)).toEqual(["Job failed", "Job ran unusually long"]);
    const listed = await send(api.v1.businesses[":id"].rules.$get({ param: { id } }));
    expect(bodyOf(listed, 200).items).toHaveLength(2);
  });

  it("refuses an unknown template and a bad body with problem details", async () => {
    // A template the API does not have is outside the typed route: sent raw.
    const unknown = await raw("POST", "/v1/templates/nope/businesses", { body: { name: "x" } });
    expect(unknown.status).toBe(422);
    expect(problemOf(unknown).errors?.[0]?.path).toBe("template");
    const bad = await applyTemplate("jobs", { name: "x", timezone: "Mars/Olympus" });
    expect(bad.status).toBe(422);
    expect(problemOf(bad).errors?.[0]?.path).toBe("timezone");
  });
});

describe("heartbeat pings (Healthchecks slug URLs)", () => {
  it("stores a success ping per method and answers OK as plain text", async () => {
    const { id, token } = await jobsBusiness();
    const get = await ping(`${token}/backup`);
    expect(get).toMatchObject({ status: 200, text: "OK" });
    expect(get.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(get.headers.get("ping-body-limit")).toBe(String(MAX_PING_BODY_BYTES));
    const head = await ping(`${token}/backup`, { method: "HEAD" });
    expect(head).toMatchObject({ status: 200, text: "" });
    const post = await ping(`${token}/backup`, { method: "POST", body: "3 files copied\n" });
    expect(post).toMatchObject({ status: 200, text: "OK" });
    expect(await dataOf(id)).toEqual([
      { slug: "backup", kind: "success", log: "3 files copied\n" },
      { slug: "backup", kind: "success" },
      { slug: "backup", kind: "success" },
    ]);
  });

  it("maps start, fail, log and exit codes", async () => {
    const { id, token } = await jobsBusiness();
    for (const suffix of ["start", "fail", "log", "0", "3"]) {
      expect((await ping(`${token}/etl/${suffix}`)).status).toBe(200);
    }
    const kinds = (await dataOf(id)).reverse().map((d) => [d.kind, d.exitCode]);
    expect(kinds).toEqual([
      ["start", undefined],
      ["fail", undefined],
      ["log", undefined],
      ["success", 0],
      ["fail", 3],
    ]);
  });

  it("answers not found for an unknown token, a revoked one, or a URL it does not know", async () => {
    const { id, token } = await jobsBusiness();
    expect(await ping(`nope/backup`)).toMatchObject({ status: 404, text: "not found" });
    expect(await ping(`${token}/backup/256`)).toMatchObject({ status: 404, text: "not found" });
    expect(await ping(`${token}/backup/restart`)).toMatchObject({ status: 404, text: "not found" });
    const sources = await send(api.v1.businesses[":id"].sources.$get({ param: { id } }));
    const [source] = bodyOf(sources, 200).items;
    const revoke = api.v1.businesses[":id"].sources[":sourceId"].$delete({
      param: { id, sourceId: source?.id ?? "" },
    });
    expect(await statusOf(revoke)).toBe(204);
    expect(await ping(`${token}/backup`)).toMatchObject({ status: 404, text: "not found" });
    expect(await dataOf(id)).toEqual([]);
  });

  it("names the field in problem details when the business cannot take the ping", async () => {
    const { business, token } = await businessWithSource();
    const res = await SELF.fetch(`http://anom.test/ping/${token}/backup`);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(["0.slug", "0.kind", "0.routeId"]),
    );
    const badSlug = await SELF.fetch(`http://anom.test/ping/${token}/back%20up`);
    expect(badSlug.status).toBe(400);
    expect(((await badSlug.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("slug");
    expect((await listEvents(business.id)).items).toEqual([]);
  });

  it("keeps the body as the log up to 100 kB, beyond the 8 kB of other strings", async () => {
    const { id, token } = await jobsBusiness();
    const long = "x".repeat(MAX_PING_BODY_BYTES + 5000);
    expect((await ping(`${token}/dump/fail`, { method: "POST", body: long })).status).toBe(200);
    const [event] = await dataOf(id);
    expect(String(event?.log).length).toBe(MAX_PING_BODY_BYTES);
  });

  it("measures durationMs from the matching start, per run id when runs overlap", async () => {
    const { id, token } = await jobsBusiness();
    await ping(`${token}/etl/start`);
    await ping(`${token}/etl/start?rid=run-a`);
    await ping(`${token}/etl/start?rid=run-b`);
    // Make the starts older, as if the runs took a while.
    await runInDurableObject(stubOf(id), async (_o, state) => {
      const sql = state.storage.sql;
      sql.exec(`update job_runs set started = started - 90000 where run_id = 'run-a'`);
      sql.exec(`update job_runs set started = started - 30000 where run_id = 'run-b'`);
      sql.exec(`update job_runs set started = started - 5000 where run_id = ''`);
    });
    await ping(`${token}/etl/0?rid=run-b`);
    await ping(`${token}/etl/fail?rid=run-a`);
    await ping(`${token}/etl`);
    // No start is left for this one: no duration.
    await ping(`${token}/etl?rid=run-a`);
    const ends = (await dataOf(id)).reverse().slice(3);
    expect(ends.map((d) => d.kind)).toEqual(["success", "fail", "success", "success"]);
    const [b, a, plain, none] = ends.map((d) => d.durationMs as number | undefined);
    expect(b).toBeGreaterThanOrEqual(30_000);
    expect(b).toBeLessThan(40_000);
    expect(a).toBeGreaterThanOrEqual(90_000);
    expect(a).toBeLessThan(100_000);
    expect(plain).toBeGreaterThanOrEqual(5_000);
    expect(plain).toBeLessThan(15_000);
    expect(none).toBeUndefined();
  });

  it("keeps each business's pings to itself", async () => {
    const a = await jobsBusiness();
    const b = await jobsBusiness();
    await ping(`${a.token}/backup/start`);
    await ping(`${b.token}/backup`);
    expect(await dataOf(a.id)).toEqual([{ slug: "backup", kind: "start" }]);
    // b's success did not end a's run: it has no duration.
    expect(await dataOf(b.id)).toEqual([{ slug: "backup", kind: "success" }]);
  });
});

describe("job rules", () => {
  it("opens a critical alert when a job fails and resolves it on its next success", async () => {
    const { id, token } = await jobsBusiness();
    await ping(`${token}/backup/start`);
    await ping(`${token}/backup/1`);
    const [opened] = await alertsOf(id);
    expect(opened).toMatchObject({ groupKey: "backup", status: "open", severity: "critical" });
    // A start or a log line of the next run does not end the failure; its success does.
    await ping(`${token}/backup/start`);
    await ping(`${token}/backup/log`, { method: "POST", body: "retrying" });
    expect((await alertsOf(id))[0]?.status).toBe("open");
    await ping(`${token}/backup/0`);
    expect((await alertsOf(id))[0]?.status).toBe("resolved");
  });

  it("expects a run after every time of the job's cron schedule, within the grace", async () => {
    const { id, token } = await jobsBusiness("Europe/Berlin");
    const rule = await createRule(id, missedRunRule("backup", "0 3 * * *", "1h"));
    await ping(`${token}/backup`);
    const pinged = Date.now();
    await settle(id);
    // The first timer is a lower bound (the grace after the ping); when it runs it
    // plans the real deadline: due at the next 03:00 in Berlin, late an hour after.
    await fastForward(id, "absence");
    const next = nextBerlinThree(pinged);
    const [timer] = await planned(id, "absence");
    expect(timer?.due).toBe(next + 60 * MIN);
    expect(await alertsOf(id)).toEqual([]);

    // As if the last run was two days ago: the run due since is missing.
    await runInDurableObject(stubOf(id), async (_o, state) => {
      state.storage.sql.exec(
        `update last_seen set time = time - 2 * 86400000 where rule_id = ?`,
        rule.id,
      );
    });
    await evictDurableObject(stubOf(id));
    await fastForward(id, "absence");
    const [missed] = await alertsOf(id);
    expect(missed).toMatchObject({ ruleId: rule.id, groupKey: "backup", status: "open" });
    expect(missed?.summary).toMatch(
      /^backup: no run reported by 04:00 \(due at 03:00 on schedule '0 3 \* \* \*', 1 h grace; last at \d\d:\d\d\)$/,
    );
    // The next run reports: the alert ends.
    await ping(`${token}/backup`);
    await fastForward(id, "keep");
    expect((await alertsOf(id))[0]?.status).toBe("resolved");
  });

  it("expects a job that never reported from the rule's start", async () => {
    const { id } = await jobsBusiness("UTC");
    const rule = await createRule(id, missedRunRule("report", "*/5 * * * *", "1m"));
    await settle(id);
    const [timer] = await planned(id, "absence");
    const tick = Math.ceil((Date.now() + 1) / (5 * MIN)) * 5 * MIN;
    expect(timer?.due).toBeGreaterThan(Date.now());
    expect(timer?.due).toBeLessThanOrEqual(tick + MIN);
    await runInDurableObject(stubOf(id), async (_o, state) => {
      state.storage.sql.exec(
        `update rule_state set since = since - 20 * 60000 where rule_id = ?`,
        rule.id,
      );
    });
    await fastForward(id, "absence");
    expect((await alertsOf(id)).map((a) => a.groupKey)).toEqual(["report"]);
  });

  it("refuses a schedule that is not a cron pattern, naming it", async () => {
    const { id } = await jobsBusiness();
    const res = await postRule(id, missedRunRule("backup", "every night", "1h"));
    expect(res.status).toBe(422);
    expect(problemOf(res).errors?.[0]?.path).toBe("schedule");
    // An absence rule with active hours is outside the rule types: sent raw.
    const both = await raw("POST", `/v1/businesses/${id}/rules`, {
      body: { ...missedRunRule("backup", "0 3 * * *", "1h"), active: "* 1-5 * * *" },
    });
    expect(both.status).toBe(422);
    expect(problemOf(both).errors?.[0]?.path).toBe("schedule");
  });
});

/** The next 03:00 wall-clock time in Berlin after `ms`. */
function nextBerlinThree(ms: number): number {
  for (let t = Math.floor(ms / MIN) * MIN + MIN; ; t += MIN) {
    const hm = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(t);
    if (hm === "03:00") return t;
  }
}
