import type { Alert } from "../../../schema/contracts/alerts";
import type { NotificationMessage } from "../message";
import type { SendResult } from "../senders";
import { alertLink, groupLink, listed, verb, worst } from "../senders";
import { postJson } from "./http";

/** Adaptive Card text colours: a severity's, or green once resolved. */
const colour: Record<Alert["severity"], string> = {
  critical: "Attention",
  warning: "Warning",
  info: "Accent",
};

const headlineOf = (m: NotificationMessage, severity: Alert["severity"], text: string) => ({
  type: "TextBlock",
  text,
  size: "Medium",
  weight: "Bolder",
  wrap: true,
  color: m.type === "alert.resolved" ? "Good" : colour[severity],
});

function body(m: NotificationMessage): Record<string, unknown>[] {
  if (m.alerts) {
    const { lines, more } = listed(m);
    return [
      headlineOf(m, worst(m), `${m.summary ?? ""} in ${m.businessName}`),
      ...lines.map((l) => ({ type: "TextBlock", text: `- ${l}`, wrap: true, spacing: "None" })),
      ...(more ? [{ type: "TextBlock", text: `…and ${more} more`, isSubtle: true }] : []),
    ];
  }
  const a = m.alert;
  return [
    headlineOf(
      m,
      a.severity,
      `${a.severity.toUpperCase()} alert ${verb[m.type]} in ${m.businessName}`,
    ),
    { type: "TextBlock", text: a.summary, wrap: true },
    {
      type: "FactSet",
      facts: [
        { title: "Rule", value: a.ruleName },
        ...(a.groupKey ? [{ title: "Group", value: a.groupKey }] : []),
        { title: "Severity", value: a.severity },
        { title: "Count", value: String(a.count) },
        { title: "Opened", value: a.openedAt },
        ...(a.resolvedAt ? [{ title: "Resolved", value: a.resolvedAt }] : []),
      ],
    },
  ];
}

/**
 * A Teams message carrying one Adaptive Card (1.4, what Workflows posts), the
 * body a Workflows "When a Teams webhook request is received" trigger expects.
 */
export function teamsPayload(m: NotificationMessage, uiUrl: string): Record<string, unknown> {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body: body(m),
          actions: [
            {
              type: "Action.OpenUrl",
              title: "Open in Anom",
              url: m.alerts ? groupLink(uiUrl, m) : alertLink(uiUrl, m),
            },
          ],
        },
      },
    ],
  };
}

export async function sendTeams(
  url: string,
  m: NotificationMessage,
  uiUrl: string,
): Promise<SendResult> {
  return postJson(url, teamsPayload(m, uiUrl));
}
