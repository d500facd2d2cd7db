import type { Business } from "../../schema/contracts/businesses";
import type { NotificationMessage, NotificationType } from "../notify/message";
import type { AlertRecord } from "./engine/alert-record";
import { toAlert } from "./engine/alert-record";
import { drain, enqueue } from "./outbox";

/** Messages handed to the Queue per alarm run (a Queue batch takes at most 100). */
const SEND_BATCH = 100;

/** The message one channel gets about one alert transition. */
export function noticeOf(
  business: Business,
  channelId: string,
  alert: AlertRecord,
  ruleName: string,
  type: NotificationType,
  id: string,
  at: number,
): NotificationMessage {
  return {
    id,
    type,
    timestamp: new Date(at).toISOString(),
    businessId: business.id,
    businessName: business.name,
    channelId,
    alert: toAlert(alert, business.id, ruleName),
  };
}

/** Writes a message to the notify outbox, in the caller's transaction. */
export function queueNotice(sql: SqlStorage, alertId: string, message: NotificationMessage): void {
  enqueue(sql, "notify", {
    alertId,
    transitionId: message.id,
    channelId: message.channelId,
    payload: JSON.stringify(message),
  });
}

/** Hands queued messages to the notifications Queue; returns whether more wait. */
export function sendQueued(sql: SqlStorage, queue: Queue): Promise<boolean> {
  return drain(sql, "notify", SEND_BATCH, async (rows) => {
    await queue.sendBatch(
      rows.map((r) => ({
        body: JSON.parse(r.payload ?? "null") as NotificationMessage,
        contentType: "json" as const,
      })),
    );
  });
}
