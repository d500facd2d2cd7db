import type { Alert } from "../../schema/contracts/alerts";

export type NotificationType =
  | "alert.opened"
  | "alert.acknowledged"
  | "alert.resolved"
  | "alert.renotified"
  | "alert.group";

/** One message on the notifications Queue: one alert transition for one channel. */
export interface NotificationMessage {
  /** The transition's stable id: the `webhook-id`, the same on every retry. */
  id: string;
  type: NotificationType;
  /** When the transition happened (RFC 3339). */
  timestamp: string;
  businessId: string;
  businessName: string;
  channelId: string;
  /** The alert as it was at the transition (of a group: the first one). */
  alert: Alert;
  /** `alert.group`: every alert the message lists, and a line that sums them up. */
  alerts?: Alert[];
  summary?: string;
}
