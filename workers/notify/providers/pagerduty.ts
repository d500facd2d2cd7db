import type { Alert } from "../../../schema/contracts/alerts";
import type { NotificationMessage } from "../message";
import type { SendResult } from "../senders";
import { alertLink } from "../senders";
import { postJson } from "./http";

/** The Events API's limit on `payload.summary`. */
const SUMMARY_CHARS = 1024;

type EventAction = "trigger" | "acknowledge" | "resolve";

const action: Record<NotificationMessage["type"], EventAction> = {
  "alert.opened": "trigger",
  "alert.renotified": "trigger",
  "alert.group": "trigger",
  "alert.acknowledged": "acknowledge",
  "alert.resolved": "resolve",
};

/** Anom's severities as PagerDuty's (`critical`, `error`, `warning`, `info`). */
export const pagerdutySeverity: Record<
  Alert["severity"],
  "critical" | "error" | "warning" | "info"
> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

/**
 * One Events API v2 event per alert: `dedup_key` is the alert's id, so the
 * trigger, its acknowledgement and its resolution are one PagerDuty alert, and
 * a retried trigger is deduplicated by PagerDuty.
 */
export function pagerdutyEvents(
  m: NotificationMessage,
  routingKey: string,
  uiUrl: string,
): Record<string, unknown>[] {
  const event_action = action[m.type];
  return (m.alerts ?? [m.alert]).map((a) => {
    const base = { routing_key: routingKey, event_action, dedup_key: a.id };
    if (event_action !== "trigger") return base;
    const link = alertLink(uiUrl, { ...m, alert: a });
    return {
      ...base,
      payload: {
        summary: a.summary.slice(0, SUMMARY_CHARS),
        source: m.businessName,
        severity: pagerdutySeverity[a.severity],
        timestamp: a.openedAt,
        ...(a.groupKey ? { component: a.groupKey } : {}),
        group: a.ruleName,
        class: a.ruleName,
        custom_details: {
          business: m.businessName,
          businessId: m.businessId,
          rule: a.ruleName,
          ruleId: a.ruleId,
          groupKey: a.groupKey,
          count: a.count,
          openedAt: a.openedAt,
          eventTime: a.eventTime,
          context: a.context,
        },
      },
      client: "Anom",
      client_url: link,
      links: [{ href: link, text: "Open in Anom" }],
    };
  });
}

/** Sends each event in turn; the first failure stops and is retried whole (PagerDuty deduplicates). */
export async function sendPagerDuty(
  url: string,
  routingKey: string,
  m: NotificationMessage,
  uiUrl: string,
): Promise<SendResult> {
  let last: SendResult = { ok: true, statusCode: null, error: null };
  for (const event of pagerdutyEvents(m, routingKey, uiUrl)) {
    last = await postJson(url, event);
    if (!last.ok) return last;
  }
  return last;
}
