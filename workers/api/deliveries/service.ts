import { eq } from "drizzle-orm";
import type { Delivery } from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import { newestFirst, pageOf } from "../../definitions/pages";
import { rowById, shown } from "../../definitions/rows";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { conflict } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { NotificationMessage, NotificationType } from "../../notify/message";
import { isTestAlert } from "../../notify/test";
import { getAlert } from "../alerts/service";

const { deliveries } = tables;
type DeliveryRow = typeof deliveries.$inferSelect;

/** The columns a delivery shows as they are. */
const deliveryColumns = [
  "id",
  "businessId",
  "channelId",
  "alertId",
  "transitionId",
  "attempt",
  "outcome",
  "statusCode",
  "error",
  "latencyMs",
] as const;

const toDelivery = (r: DeliveryRow): Delivery => ({
  ...shown(r, deliveryColumns, ["createdAt"]),
  type: r.eventType,
});

export async function listDeliveries(
  db: Database,
  businessId: string,
  q: {
    cursor?: string | undefined;
    limit: number;
    channelId?: string | undefined;
    alertId?: string | undefined;
  },
): Promise<{ items: Delivery[]; nextCursor: string | null }> {
  await getBusiness(db, businessId);
  const rows = await newestFirst(
    db,
    deliveries,
    [
      eq(deliveries.businessId, businessId),
      q.channelId ? eq(deliveries.channelId, q.channelId) : undefined,
      q.alertId ? eq(deliveries.alertId, q.alertId) : undefined,
    ],
    q,
  );
  return pageOf(rows, q.limit, toDelivery);
}

/** Queues the delivery's message again: same webhook-id, the alert as it is now. */
export async function resendDelivery(
  env: Env,
  db: Database,
  deliveryId: string,
): Promise<{ queued: true; transitionId: string }> {
  const row = await rowById(db, deliveries, "Delivery", deliveryId);
  if (isTestAlert(row.alertId))
    throw conflict(
      "A test notification is not re-sent: send a new one with POST /v1/businesses/{id}/channels/{channelId}/test.",
    );
  if (row.eventType === "alert.group")
    throw conflict(
      "A grouped message listed its alerts as they were then and is not kept; it cannot be re-sent. Its alerts are in GET /v1/alerts.",
    );
  const [business, alert] = await Promise.all([
    getBusiness(db, row.businessId),
    getAlert(db, row.alertId),
  ]);
  const { history: _history, ...current } = alert;
  const transition = alert.history.find((t) => t.id === row.transitionId);
  const message: NotificationMessage = {
    id: row.transitionId,
    type: row.eventType as NotificationType,
    timestamp: transition?.at ?? iso(row.createdAt),
    businessId: business.id,
    businessName: business.name,
    channelId: row.channelId,
    alert: current,
  };
  await env.NOTIFICATIONS.send(message, { contentType: "json" });
  return { queued: true, transitionId: row.transitionId };
}
