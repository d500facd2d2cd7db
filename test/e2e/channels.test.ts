import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import type { ListedAlert } from "../support/alertmanager";
import { startAlertmanager } from "../support/alertmanager";
import { NtfyPublish, PagerDutyEvent, TeamsWorkflowMessage } from "../support/provider-contracts";
import { startReceiver } from "../support/receiver";
import { e2eStack, slowRoutes } from "../support/stack";

const KEY = "e93facc04764012d7bfb002500d5d1a6";
const stack = e2eStack();
const { admin } = stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alertmanager: Awaited<ReturnType<typeof startAlertmanager>>;
const api = () => client(stack.api, admin);

/** Polls (bounded) until `probe` answers something other than undefined. */
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const listed = (match: (a: ListedAlert) => boolean) => async () =>
  (await alertmanager.alerts()).find(match);

beforeAll(async () => {
  // Alertmanager first: when it is missing, the suite fails here, before anything else starts.
  alertmanager = await startAlertmanager();
  receiver = await startReceiver();
});

afterAll(async () => {
  await alertmanager?.stop();
  await receiver?.close();
});

describe("channels out, on the real local stack", () => {
  it("takes one alert through PagerDuty, Teams, ntfy and a real Alertmanager: opened, acknowledged, resolved", async () => {
    const { business, slow, fast } = await slowRoutes(api(), "e2e integrations");
    const base = `/v1/businesses/${business.id}`;
    const r = `http://127.0.0.1:${receiver.port}`;
    for (const body of [
      { type: "alertmanager", url: alertmanager.url },
      { type: "pagerduty", routingKey: KEY, url: `${r}/pd` },
      { type: "teams", url: `${r}/teams` },
      { type: "ntfy", topic: "anom-e2e", url: `${r}/ntfy` },
    ]) {
      await api().json("POST", `${base}/channels`, body);
    }
    await slow("SFTP-BANK-A");
    const pushed = await until(
      listed((a) => a.labels.group === "SFTP-BANK-A"),
      120_000,
    );
    const [alert] = (await api().json("GET", `/v1/alerts?businessId=${business.id}`)).items;
    expect(pushed.labels).toEqual({
      alertname: "Slow route",
      severity: "critical",
      rule_id: alert.ruleId,
      group: "SFTP-BANK-A",
      business: "e2e integrations",
      business_id: business.id,
    });
    expect(pushed.annotations).toMatchObject({ anom_alert_id: alert.id, summary: alert.summary });
    expect(pushed.status.state).toBe("active");
    expect(Date.parse(pushed.startsAt)).toBe(Date.parse(alert.openedAt));

    const pd = () => receiver.received("/pd").map((x) => PagerDutyEvent.parse(JSON.parse(x.body)));
    await until(() => (pd().length >= 1 ? true : undefined), 30_000);
    expect(pd()[0]).toMatchObject({ event_action: "trigger", dedup_key: alert.id });
    const [teams] = await until(
      () => (receiver.received("/teams").length ? receiver.received("/teams") : undefined),
      30_000,
    );
    expect(TeamsWorkflowMessage.safeParse(JSON.parse(teams?.body ?? "")).success).toBe(true);
    const [ntfy] = await until(
      () => (receiver.received("/ntfy").length ? receiver.received("/ntfy") : undefined),
      30_000,
    );
    expect(NtfyPublish.parse(JSON.parse(ntfy?.body ?? ""))).toMatchObject({
      topic: "anom-e2e",
      priority: 5,
      // UI_URL: the stack's own UI.
      click: `${stack.ui}/alerts/${alert.id}`,
    });

    await api().json("POST", `/v1/alerts/${alert.id}/ack`);
    await until(() => (pd().length >= 2 ? true : undefined), 60_000);
    expect(pd()[1]).toEqual({ routing_key: KEY, event_action: "acknowledge", dedup_key: alert.id });
    await until(
      listed((a) => a.annotations.anom_status === "acknowledged"),
      60_000,
    );

    await fast("SFTP-BANK-A");
    await until(() => (pd().length >= 3 ? true : undefined), 60_000);
    expect(pd()[2]).toEqual({ routing_key: KEY, event_action: "resolve", dedup_key: alert.id });
    // Ended by its resolution: Alertmanager no longer lists it among the active alerts.
    await until(
      async () => ((await listed((a) => a.labels.group === "SFTP-BANK-A")()) ? undefined : true),
      60_000,
    );

    const log = await api().json("GET", `${base}/deliveries?limit=100`);
    expect(log.items).toHaveLength(12);
    expect(log.items.every((d: { outcome: string }) => d.outcome === "delivered")).toBe(true);
  });

  it("sends a test notification to the real Alertmanager, and ends it", async () => {
    const business = await api().json("POST", "/v1/businesses", {
      name: "e2e test notification",
      fields: [{ name: "x", type: "number" }],
    });
    const base = `/v1/businesses/${business.id}`;
    const channel = await api().json("POST", `${base}/channels`, {
      type: "alertmanager",
      url: `${alertmanager.url}/`,
    });
    const sent = await api().json("POST", `${base}/channels/${channel.id}/test`, {
      severity: "info",
    });
    expect(sent).toMatchObject({ outcome: "delivered", statusCode: 200 });
    const isTest = (a: ListedAlert) => a.annotations.anom_alert_id === `alt_test_${channel.id}`;
    const shown = await until(listed(isTest), 10_000);
    expect(shown.labels).toMatchObject({ alertname: "Anom test notification", severity: "info" });
    // Severity is one of Alertmanager's labels: the resolution names the same one.
    const ended = await api().json("POST", `${base}/channels/${channel.id}/test`, {
      type: "alert.resolved",
      severity: "info",
    });
    expect(ended.outcome).toBe("delivered");
    await until(async () => ((await listed(isTest)()) ? undefined : true), 10_000);
  });
});
