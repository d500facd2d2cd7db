import type { NotificationMessage } from "../../workers/notify/message";

let counter = 0;

/** A queue message announcing one open alert, as the business's outbox sends it. */
export function alertMessage(
  businessId: string,
  channelId: string,
  overrides: Partial<NotificationMessage> = {},
): NotificationMessage {
  counter += 1;
  const now = new Date().toISOString();
  return {
    id: `atr_test${counter}`,
    type: "alert.opened",
    timestamp: now,
    businessId,
    businessName: "Camel routes",
    channelId,
    alert: {
      id: `alt_test${counter}`,
      businessId,
      ruleId: "rul_x",
      ruleName: "Slow route",
      groupKey: "SFTP-BANK-A",
      status: "open",
      severity: "critical",
      summary: "SFTP-BANK-A: durationMs > 5000 (durationMs = 6120)",
      openedAt: now,
      lastTriggeredAt: now,
      acknowledgedAt: null,
      resolvedAt: null,
      resolution: null,
      count: 1,
      eventTime: now,
      historical: false,
      context: {},
      silenced: false,
      inhibited: false,
    },
    ...overrides,
  };
}
