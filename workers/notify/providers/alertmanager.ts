import type { Alert } from "../../../schema/contracts/alerts";
import type { NotificationMessage } from "../message";
import type { SendResult } from "../senders";
import { alertLink } from "../senders";
import { postJson } from "./http";

/**
 * Alertmanager ends an alert whose sender stops repeating it after its
 * `resolve_timeout` (5 minutes by default). Anom tells each transition once,
 * so a firing alert is pushed with an end this far ahead; its resolution
 * (delivered with retries like every message) ends it at once. Reminders
 * (`renotifyAfter`) push it again and move the end on.
 */
export const FIRING_HORIZON_MS = 7 * 86_400_000;

/** `{url}/api/v2/alerts`, unless the URL already names that path. */
export function alertmanagerEndpoint(url: string): string {
  if (!URL.canParse(url)) return url; // the target guard refuses it
  const u = new URL(url);
  if (!/\/api\/v2\/alerts\/?$/.test(u.pathname)) {
    u.pathname = `${u.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
  }
  return u.toString();
}

/** Labels identify an alert in Alertmanager: the rule, the group key, the severity, the business. */
export function alertmanagerLabels(a: Alert, businessName: string): Record<string, string> {
  return {
    alertname: a.ruleName || "Anom alert",
    severity: a.severity,
    rule_id: a.ruleId,
    ...(a.groupKey ? { group: a.groupKey } : {}),
    business: businessName,
    business_id: a.businessId,
  };
}

/** Alertmanager API v2 postable alerts, one per alert the message is about. */
export function alertmanagerAlerts(
  m: NotificationMessage,
  uiUrl: string,
): Record<string, unknown>[] {
  const sentAt = Date.parse(m.timestamp);
  return (m.alerts ?? [m.alert]).map((a) => {
    const link = alertLink(uiUrl, { ...m, alert: a });
    const resolved = m.type === "alert.resolved";
    return {
      labels: alertmanagerLabels(a, m.businessName),
      annotations: {
        summary: a.summary,
        anom_alert_id: a.id,
        anom_status: resolved ? "resolved" : a.status,
        count: String(a.count),
        url: link,
      },
      startsAt: a.openedAt,
      endsAt: resolved
        ? (a.resolvedAt ?? m.timestamp)
        : new Date(sentAt + FIRING_HORIZON_MS).toISOString(),
      generatorURL: link,
    };
  });
}

export async function sendAlertmanager(
  url: string,
  token: string | null,
  m: NotificationMessage,
  uiUrl: string,
): Promise<SendResult> {
  return postJson(url, alertmanagerAlerts(m, uiUrl), token);
}
