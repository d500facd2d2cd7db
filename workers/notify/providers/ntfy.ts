import type { Alert } from "../../../schema/contracts/alerts";
import type { NotificationMessage } from "../message";
import type { SendResult } from "../senders";
import { alertLink, groupLink, listed, verb, worst } from "../senders";
import { postJson } from "./http";

/** ntfy turns longer messages into attachments; the text stays below. */
const MESSAGE_CHARS = 4000;

/** ntfy priorities: 5 max, 4 high, 3 default, 2 low. */
const priorityOf: Record<Alert["severity"], number> = { critical: 5, warning: 4, info: 3 };
/** Tags that ntfy shows as emoji. */
const emojiOf: Record<Alert["severity"], string> = {
  critical: "rotating_light",
  warning: "warning",
  info: "information_source",
};

/** Settled news (acknowledged, resolved) is low priority: nobody needs waking for it. */
function settled(m: NotificationMessage): boolean {
  return m.type === "alert.resolved" || m.type === "alert.acknowledged";
}

/**
 * ntfy's JSON publish body (POSTed to the server's root URL): title, message,
 * priority by severity, emoji tags, and a click-through to the alert's page.
 */
export function ntfyPayload(
  m: NotificationMessage,
  topic: string,
  uiUrl: string,
): Record<string, unknown> {
  const severity = m.alerts ? worst(m) : m.alert.severity;
  const link = m.alerts ? groupLink(uiUrl, m) : alertLink(uiUrl, m);
  const a = m.alert;
  const title = m.alerts
    ? `[${severity.toUpperCase()}] ${m.businessName}: ${m.summary ?? ""}`
    : `[${severity.toUpperCase()}] ${m.businessName}: alert ${verb[m.type]}`;
  let message: string;
  if (m.alerts) {
    const { lines, more } = listed(m);
    message = lines.join("\n") + (more ? `\n…and ${more} more` : "");
  } else {
    message = `${a.summary}\nRule: ${a.ruleName}${a.groupKey ? ` · ${a.groupKey}` : ""} · ${a.count}× since ${a.openedAt}`;
  }
  const state =
    m.type === "alert.resolved"
      ? ["white_check_mark"]
      : m.type === "alert.acknowledged"
        ? ["eyes"]
        : [];
  return {
    topic,
    title,
    message: message.slice(0, MESSAGE_CHARS),
    priority: settled(m) ? 2 : priorityOf[severity],
    tags: [...state, emojiOf[severity], severity, "anom"],
    click: link,
    actions: [{ action: "view", label: "Open in Anom", url: link, clear: true }],
  };
}

export async function sendNtfy(
  url: string,
  topic: string,
  token: string | null,
  m: NotificationMessage,
  uiUrl: string,
): Promise<SendResult> {
  return postJson(url, ntfyPayload(m, topic, uiUrl), token);
}
