import type { Alert } from "../../schema/contracts/alerts";
import type { ChannelTestRequest, ChannelTestResult } from "../../schema/contracts/channels";
import type { ChannelRow } from "../definitions/channels";
import type { Database } from "../lib/db";
import { delivery, record, send } from "./consumer";
import type { NotificationMessage } from "./message";

/** Test alerts are named after their channel, so a test's resolution closes its opening. */
export const TEST_ALERT_PREFIX = "alt_test_";
export const isTestAlert = (alertId: string) => alertId.startsWith(TEST_ALERT_PREFIX);

/** The message a test sends: a made-up alert of a made-up rule, shaped like every real one. */
export function testMessage(
  business: { id: string; name: string },
  channel: ChannelRow,
  input: ChannelTestRequest,
  now = Date.now(),
): NotificationMessage {
  const at = new Date(now).toISOString();
  const status: Alert["status"] =
    input.type === "alert.resolved"
      ? "resolved"
      : input.type === "alert.acknowledged"
        ? "acknowledged"
        : "open";
  return {
    id: `tst_${now.toString(36)}${crypto.randomUUID().slice(0, 8)}`,
    type: input.type,
    timestamp: at,
    businessId: business.id,
    businessName: business.name,
    channelId: channel.id,
    alert: {
      id: `${TEST_ALERT_PREFIX}${channel.id}`,
      businessId: business.id,
      ruleId: "rul_test",
      ruleName: "Anom test notification",
      groupKey: "",
      status,
      severity: input.severity,
      summary: `Test notification from Anom for the channel “${channel.name}”`,
      openedAt: at,
      lastTriggeredAt: at,
      acknowledgedAt: status === "acknowledged" ? at : null,
      resolvedAt: status === "resolved" ? at : null,
      resolution: status === "resolved" ? "manual" : null,
      count: 1,
      eventTime: at,
      historical: false,
      context: { test: true },
      silenced: false,
      inhibited: false,
    },
  };
}

/**
 * Sends a test notification now, through the channel's own provider and the
 * target guard, and records the attempt in the delivery log. It is not queued:
 * the caller wants the answer, and a failed test is not retried.
 */
export async function sendTest(
  env: Env,
  db: Database,
  business: { id: string; name: string },
  channel: ChannelRow,
  input: ChannelTestRequest,
): Promise<ChannelTestResult> {
  const m = testMessage(business, channel, input);
  const started = Date.now();
  const result = await send(env, channel, m);
  const latencyMs = Date.now() - started;
  const outcome = result.ok ? "delivered" : result.permanent ? "dead" : "failed";
  const row = delivery(m, 1, outcome, result, latencyMs);
  await record(db, [row]);
  return {
    deliveryId: row.id,
    alertId: m.alert.id,
    type: m.type,
    outcome,
    statusCode: result.statusCode,
    error: result.error,
    latencyMs,
  };
}
