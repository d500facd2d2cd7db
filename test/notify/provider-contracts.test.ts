import { describe, expect, it } from "vitest";
import type { Alert } from "../../schema/contracts/alerts";
import type { NotificationMessage } from "../../workers/notify/message";
import {
  alertmanagerAlerts,
  alertmanagerEndpoint,
  FIRING_HORIZON_MS,
} from "../../workers/notify/providers/alertmanager";
import { ntfyPayload } from "../../workers/notify/providers/ntfy";
import { pagerdutyEvents } from "../../workers/notify/providers/pagerduty";
import { teamsPayload } from "../../workers/notify/providers/teams";
import { alertMessage } from "../support/messages";
import {
  AlertmanagerPostableAlerts,
  NtfyPublish,
  PagerDutyEvent,
  TeamsWorkflowMessage,
} from "../support/provider-contracts";

const UI = "https://anom.example.com/";
const KEY = "e93facc04764012d7bfb002500d5d1a6";

function resolvedMessage(): NotificationMessage {
  const m = alertMessage("bus_x", "chn_x", { type: "alert.resolved" });
  const at = new Date(Date.parse(m.alert.openedAt) + 60_000).toISOString();
  return { ...m, timestamp: at, alert: { ...m.alert, status: "resolved", resolvedAt: at } };
}

/** One message of every kind the notifier sends, a group of three included. */
function everyKind(): NotificationMessage[] {
  const opened = alertMessage("bus_x", "chn_x");
  const ack = alertMessage("bus_x", "chn_x", { type: "alert.acknowledged" });
  const reminder = alertMessage("bus_x", "chn_x", { type: "alert.renotified" });
  const alerts: Alert[] = (["info", "warning", "critical"] as const).map((severity, i) => ({
    ...alertMessage("bus_x", "chn_x").alert,
    severity,
    groupKey: i === 0 ? "" : `gh-0${i}`,
  }));
  const [first] = alerts;
  if (!first) throw new Error("no alerts");
  const group: NotificationMessage = {
    ...opened,
    type: "alert.group",
    alert: first,
    alerts,
    summary: "3 alerts since 14:05 (Slow route)",
  };
  return [opened, ack, reminder, resolvedMessage(), group];
}

describe("PagerDuty Events API v2", () => {
  it("sends documented events for every kind of message", () => {
    for (const m of everyKind()) {
      for (const event of pagerdutyEvents(m, KEY, UI)) {
        const parsed = PagerDutyEvent.safeParse(event);
        expect(parsed.success, `${m.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
    }
  });

  it("triggers, acknowledges and resolves one alert under its id as dedup_key", () => {
    const opened = alertMessage("bus_x", "chn_x");
    const id = opened.alert.id;
    const same = (type: NotificationMessage["type"]) =>
      pagerdutyEvents({ ...opened, type }, KEY, UI)[0];
    expect(same("alert.opened")).toMatchObject({
      routing_key: KEY,
      event_action: "trigger",
      dedup_key: id,
      payload: {
        summary: opened.alert.summary,
        source: "Camel routes",
        severity: "critical",
        component: "SFTP-BANK-A",
        group: "Slow route",
      },
      client: "Anom",
      client_url: `https://anom.example.com/alerts/${id}`,
      links: [{ href: `https://anom.example.com/alerts/${id}`, text: "Open in Anom" }],
    });
    expect(same("alert.renotified")).toMatchObject({ event_action: "trigger", dedup_key: id });
    expect(same("alert.acknowledged")).toEqual({
      routing_key: KEY,
      event_action: "acknowledge",
      dedup_key: id,
    });
    expect(same("alert.resolved")).toEqual({
      routing_key: KEY,
      event_action: "resolve",
      dedup_key: id,
    });
  });

  it("maps every severity, cuts the summary at PagerDuty's limit and sends a group as one event per alert", () => {
    const m = alertMessage("bus_x", "chn_x");
    for (const severity of ["info", "warning", "critical"] as const) {
      const [event] = pagerdutyEvents({ ...m, alert: { ...m.alert, severity } }, KEY, UI);
      expect(PagerDutyEvent.parse(event).payload?.severity).toBe(severity);
    }
    const long = { ...m, alert: { ...m.alert, summary: "x".repeat(5000) } };
    const [event] = pagerdutyEvents(long, KEY, UI);
    expect(PagerDutyEvent.parse(event).payload?.summary).toHaveLength(1024);
    const group = everyKind()[4] as NotificationMessage;
    const events = pagerdutyEvents(group, KEY, UI);
    expect(events.map((e) => e.dedup_key)).toEqual(group.alerts?.map((a) => a.id));
  });
});

describe("Microsoft Teams Workflows", () => {
  it("posts a message with one Adaptive Card for every kind of message", () => {
    for (const m of everyKind()) {
      const parsed = TeamsWorkflowMessage.safeParse(teamsPayload(m, UI));
      expect(parsed.success, `${m.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("shows severity, summary, rule facts and a button to the alert", () => {
    const m = alertMessage("bus_x", "chn_x");
    const card = TeamsWorkflowMessage.parse(teamsPayload(m, UI)).attachments[0]?.content;
    expect(card?.body[0]).toMatchObject({
      text: "CRITICAL alert opened in Camel routes",
      color: "Attention",
    });
    expect(card?.body[1]).toMatchObject({ text: m.alert.summary });
    expect(card?.body[2]).toMatchObject({
      type: "FactSet",
      facts: expect.arrayContaining([
        { title: "Rule", value: "Slow route" },
        { title: "Group", value: "SFTP-BANK-A" },
      ]),
    });
    expect(card?.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Open in Anom",
        url: `https://anom.example.com/alerts/${m.alert.id}`,
      },
    ]);
    const resolved = TeamsWorkflowMessage.parse(teamsPayload(resolvedMessage(), UI));
    expect(resolved.attachments[0]?.content.body[0]).toMatchObject({ color: "Good" });
  });
});

describe("ntfy", () => {
  it("publishes documented JSON for every kind of message", () => {
    for (const m of everyKind()) {
      const parsed = NtfyPublish.safeParse(ntfyPayload(m, "anom-ops", UI));
      expect(parsed.success, `${m.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("sets title, priority by severity, emoji tags and a click link to the alert page", () => {
    const m = alertMessage("bus_x", "chn_x");
    const link = `https://anom.example.com/alerts/${m.alert.id}`;
    expect(ntfyPayload(m, "anom-ops", UI)).toMatchObject({
      topic: "anom-ops",
      title: "[CRITICAL] Camel routes: alert opened",
      message: expect.stringContaining(m.alert.summary),
      priority: 5,
      tags: ["rotating_light", "critical", "anom"],
      click: link,
      actions: [{ action: "view", label: "Open in Anom", url: link }],
    });
    const priority = (severity: Alert["severity"]) =>
      ntfyPayload({ ...m, alert: { ...m.alert, severity } }, "t", UI).priority;
    expect([priority("info"), priority("warning"), priority("critical")]).toEqual([3, 4, 5]);
    expect(ntfyPayload(resolvedMessage(), "t", UI)).toMatchObject({
      priority: 2,
      tags: ["white_check_mark", "rotating_light", "critical", "anom"],
    });
  });
});

describe("Alertmanager API v2", () => {
  it("pushes documented postable alerts for every kind of message", () => {
    for (const m of everyKind()) {
      const parsed = AlertmanagerPostableAlerts.safeParse(alertmanagerAlerts(m, UI));
      expect(parsed.success, `${m.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("labels alerts by rule, group and severity, and ends them on resolve", () => {
    const m = alertMessage("bus_x", "chn_x");
    const [firing] = alertmanagerAlerts(m, UI);
    expect(firing).toMatchObject({
      labels: {
        alertname: "Slow route",
        severity: "critical",
        rule_id: "rul_x",
        group: "SFTP-BANK-A",
        business: "Camel routes",
        business_id: "bus_x",
      },
      annotations: { summary: m.alert.summary, anom_alert_id: m.alert.id },
      startsAt: m.alert.openedAt,
      endsAt: new Date(Date.parse(m.timestamp) + FIRING_HORIZON_MS).toISOString(),
      generatorURL: `https://anom.example.com/alerts/${m.alert.id}`,
    });
    const done = resolvedMessage();
    const [resolved] = alertmanagerAlerts(done, UI);
    expect(resolved?.endsAt).toBe(done.alert.resolvedAt);
    // The same labels: Alertmanager ends the very alert it was told of.
    expect(resolved?.labels).toEqual(
      alertmanagerAlerts({ ...done, type: "alert.opened" }, UI)[0]?.labels,
    );
  });

  it("posts to {url}/api/v2/alerts, whether or not the URL names that path", () => {
    expect(alertmanagerEndpoint("http://am:9093")).toBe("http://am:9093/api/v2/alerts");
    expect(alertmanagerEndpoint("http://am:9093/")).toBe("http://am:9093/api/v2/alerts");
    expect(alertmanagerEndpoint("https://x.example/am/")).toBe(
      "https://x.example/am/api/v2/alerts",
    );
    expect(alertmanagerEndpoint("http://am:9093/api/v2/alerts")).toBe(
      "http://am:9093/api/v2/alerts",
    );
  });
});
