import { EmailMessage } from "cloudflare:email";
import { createMimeMessage } from "mimetext";
import { Webhook } from "standardwebhooks";
import type { NotificationMessage } from "./message";

/** Outbound calls give up after this long. */
export const SEND_TIMEOUT_MS = 10_000;
/** How much of a refusing answer's body the delivery log keeps. */
const ANSWER_CHARS = 300;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** A failure no retry can fix (e.g. a refused address). */
  permanent?: boolean;
}

/**
 * POSTs a body and tells how it went. `detail` adds the start of a failed
 * answer's body to the error (providers explain a 400 there).
 */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  detail = false,
): Promise<SendResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Anom-Notifications/1",
        ...headers,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const ok = res.status >= 200 && res.status < 300;
    const said = !ok && detail ? (await res.text()).slice(0, ANSWER_CHARS).trim() : "";
    if (ok || !detail) await res.body?.cancel();
    return {
      ok,
      statusCode: res.status,
      error: ok ? null : `HTTP ${res.status}${said ? `: ${said}` : ""}`,
    };
  } catch (error) {
    const timedOut =
      error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      ok: false,
      statusCode: null,
      error: timedOut ? `no answer within ${SEND_TIMEOUT_MS} ms` : String(error),
    };
  }
}

/** The webhook body: `{ type, timestamp, data: <alert> }`; a group's data is `{ summary, alerts }`. */
export function webhookBody(m: NotificationMessage): string {
  const data = m.alerts ? { summary: m.summary ?? "", alerts: m.alerts } : m.alert;
  return JSON.stringify({ type: m.type, timestamp: m.timestamp, data });
}

/** A group lists at most this many alerts in chat and email (the webhook carries all). */
const LISTED = 20;

export function listed(m: NotificationMessage): { lines: string[]; more: number } {
  const alerts = m.alerts ?? [m.alert];
  return {
    lines: alerts.slice(0, LISTED).map((a) => `[${a.severity}] ${a.summary}`),
    more: Math.max(0, alerts.length - LISTED),
  };
}

export const worst = (m: NotificationMessage) => {
  const order = ["info", "warning", "critical"] as const;
  return (m.alerts ?? [m.alert]).reduce(
    (w, a) => (order.indexOf(a.severity) > order.indexOf(w) ? a.severity : w),
    m.alert.severity,
  );
};

/** Standard Webhooks: `webhook-id` (the transition id, stable across retries), `-timestamp`, `-signature`. */
export function sendWebhook(
  url: string,
  secret: string,
  m: NotificationMessage,
): Promise<SendResult> {
  const body = webhookBody(m);
  const sentAt = new Date();
  const signature = new Webhook(secret).sign(m.id, sentAt, body);
  return post(url, body, {
    "webhook-id": m.id,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": signature,
  });
}

export const severityEmoji = {
  info: ":information_source:",
  warning: ":warning:",
  critical: ":rotating_light:",
} as const;
export const verb: Record<NotificationMessage["type"], string> = {
  "alert.opened": "opened",
  "alert.acknowledged": "acknowledged",
  "alert.resolved": "resolved",
  "alert.renotified": "still open",
  "alert.group": "opened",
};

/** The alert's page in the UI. */
export function alertLink(uiUrl: string, m: NotificationMessage): string {
  return `${uiUrl.replace(/\/$/, "")}/alerts/${encodeURIComponent(m.alert.id)}`;
}

/** A group's link: the business's alerts in the UI. */
export function groupLink(uiUrl: string, m: NotificationMessage): string {
  return `${uiUrl.replace(/\/$/, "")}/alerts?businessId=${encodeURIComponent(m.businessId)}`;
}

/** A Slack message in Block Kit: severity, business, summary and a link to the alert. */
export function slackPayload(m: NotificationMessage, uiUrl: string): Record<string, unknown> {
  if (m.alerts) return slackGroupPayload(m, uiUrl);
  const a = m.alert;
  const headline = `${severityEmoji[a.severity]} *${a.severity.toUpperCase()}* alert ${verb[m.type]} in *${m.businessName}*`;
  return {
    text: `${a.severity.toUpperCase()} ${verb[m.type]}: ${a.summary}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${headline}\n${a.summary}` } },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Rule *${a.ruleName}*${a.groupKey ? ` · ${a.groupKey}` : ""} · ${a.count}× since ${a.openedAt}`,
          },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open in Anom" },
            url: alertLink(uiUrl, m),
          },
        ],
      },
    ],
  };
}

/** One Slack message for a group: the summary line, then the alerts. */
function slackGroupPayload(m: NotificationMessage, uiUrl: string): Record<string, unknown> {
  const severity = worst(m);
  const { lines, more } = listed(m);
  const list = lines.map((l) => `• ${l}`).join("\n") + (more ? `\n…and ${more} more` : "");
  return {
    text: `${severity.toUpperCase()} ${m.summary ?? ""}`,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `${severityEmoji[severity]} *${m.summary ?? ""}* in *${m.businessName}*`,
        },
      },
      { type: "section", text: { type: "mrkdwn", text: list } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open in Anom" },
            url: groupLink(uiUrl, m),
          },
        ],
      },
    ],
  };
}

export function sendSlack(url: string, m: NotificationMessage, uiUrl: string): Promise<SendResult> {
  return post(url, JSON.stringify(slackPayload(m, uiUrl)), {});
}

/** A MIME message (plain text and HTML) built by mimetext. */
export function emailRaw(from: string, to: string, m: NotificationMessage, uiUrl: string): string {
  if (m.alerts) return emailGroupRaw(from, to, m, uiUrl);
  const a = m.alert;
  const msg = createMimeMessage();
  msg.setSender({ name: "Anom alerts", addr: from });
  msg.setRecipient(to);
  msg.setSubject(`[${a.severity}] ${m.businessName}: ${a.summary}`);
  msg.setHeader("Message-ID", `<${m.id}@anom>`);
  const link = alertLink(uiUrl, m);
  msg.addMessage({
    contentType: "text/plain",
    data: `Alert ${verb[m.type]} in ${m.businessName}\n\n${a.summary}\n\nRule: ${a.ruleName}\nSeverity: ${a.severity}\nOpened: ${a.openedAt}\nCount: ${a.count}\n\n${link}\n`,
  });
  const html = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  msg.addMessage({
    contentType: "text/html",
    data: `<p>Alert <b>${verb[m.type]}</b> in <b>${html(m.businessName)}</b></p><p style="font-size:16px">${html(a.summary)}</p><p>Rule: ${html(a.ruleName)}<br>Severity: ${a.severity}<br>Opened: ${a.openedAt}<br>Count: ${a.count}</p><p><a href="${html(link)}">Open in Anom</a></p>`,
  });
  return msg.asRaw();
}

const htmlText = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** One email for a group: the summary line as subject, the alerts listed. */
function emailGroupRaw(from: string, to: string, m: NotificationMessage, uiUrl: string): string {
  const msg = createMimeMessage();
  msg.setSender({ name: "Anom alerts", addr: from });
  msg.setRecipient(to);
  msg.setSubject(`[${worst(m)}] ${m.businessName}: ${m.summary ?? ""}`);
  msg.setHeader("Message-ID", `<${m.id}@anom>`);
  const { lines, more } = listed(m);
  const link = groupLink(uiUrl, m);
  const tail = more ? `…and ${more} more` : "";
  msg.addMessage({
    contentType: "text/plain",
    data: `${m.summary ?? ""} in ${m.businessName}\n\n${lines.join("\n")}\n${tail}\n\n${link}\n`,
  });
  msg.addMessage({
    contentType: "text/html",
    data: `<p><b>${htmlText(m.summary ?? "")}</b> in <b>${htmlText(m.businessName)}</b></p><ul>${lines
      .map((l) => `<li>${htmlText(l)}</li>`)
      .join(
        "",
      )}</ul>${tail ? `<p>${tail}</p>` : ""}<p><a href="${htmlText(link)}">Open in Anom</a></p>`,
  });
  return msg.asRaw();
}

export async function sendEmail(
  binding: SendEmail,
  from: string,
  to: string,
  m: NotificationMessage,
  uiUrl: string,
): Promise<SendResult> {
  try {
    await binding.send(new EmailMessage(from, to, emailRaw(from, to, m, uiUrl)));
    return { ok: true, statusCode: null, error: null };
  } catch (error) {
    return { ok: false, statusCode: null, error: String(error) };
  }
}
