import type { Business } from "../../schema/contracts/businesses";
import type { ChannelRow } from "../api/channels/service";
import { newId } from "../lib/ids";
import type { NotificationMessage, NotificationType } from "../notify/message";
import { hasQueued } from "./alert-index";
import type { AlertRecord, AlertStore, TransitionType } from "./engine/alerts";
import { toAlert } from "./engine/alerts";
import { scheduleAt, unschedule } from "./schedule";

/** Messages handed to the Queue per alarm run (a Queue batch takes at most 100). */
const SEND_BATCH = 100;
export const JOB_NOTIFY = "notify";
export const JOB_RENOTIFY = "renotify";

/**
 * Turns alert transitions into notification messages, one per channel that
 * wants it, written to the outbox in the transition's own transaction; the
 * alarm hands them to the Queue, so a failed send is retried and none is lost.
 */
export class Notifier {
  constructor(
    private readonly sql: SqlStorage,
    private readonly business: Business,
    private readonly channels: ChannelRow[],
    private readonly ruleChannels: (ruleId: string) => string[] | null,
    private readonly ruleName: (ruleId: string) => string,
  ) {}

  private targets(alert: AlertRecord): ChannelRow[] {
    const named = this.ruleChannels(alert.ruleId);
    return this.channels.filter(
      (c) =>
        c.enabled &&
        (named === null || named.includes(c.id)) &&
        (!c.severities || (c.severities as string[]).includes(alert.severity)),
    );
  }

  private queue(
    alert: AlertRecord,
    channel: ChannelRow,
    type: NotificationType,
    id: string,
    at: number,
  ) {
    const message: NotificationMessage = {
      id,
      type,
      timestamp: new Date(at).toISOString(),
      businessId: this.business.id,
      businessName: this.business.name,
      channelId: channel.id,
      alert: toAlert(alert, this.business.id, this.ruleName(alert.ruleId)),
    };
    this.sql.exec(
      `insert into outbox (kind, alert_id, transition_id, channel_id, payload) values ('notify', ?, ?, ?, ?)`,
      alert.id,
      id,
      channel.id,
      JSON.stringify(message),
    );
  }

  onTransition(alert: AlertRecord, type: TransitionType, transitionId: string, at: number): void {
    // Backfilled history is for the record: nobody is woken by it, then or when it resolves.
    if (alert.historical) return;
    for (const channel of this.targets(alert)) {
      this.queue(alert, channel, `alert.${type}`, transitionId, at);
      const key = `${alert.id}\n${channel.id}`;
      if (type === "opened" && channel.renotifySeconds) {
        scheduleAt(this.sql, JOB_RENOTIFY, key, at + channel.renotifySeconds * 1000);
      } else if (type === "resolved") {
        unschedule(this.sql, JOB_RENOTIFY, key);
      }
    }
  }

  /** A reminder for an alert still open (acknowledged ones are being handled), then the next one. */
  renotify(alerts: AlertStore, key: string, now: number): void {
    const [alertId = "", channelId] = key.split("\n");
    unschedule(this.sql, JOB_RENOTIFY, key);
    const alert = alerts.get(alertId);
    const channel = this.channels.find((c) => c.id === channelId);
    if (
      alert?.status !== "open" ||
      !channel?.renotifySeconds ||
      !this.targets(alert).includes(channel)
    )
      return;
    this.queue(alert, channel, "alert.renotified", newId("atr", now), now);
    scheduleAt(this.sql, JOB_RENOTIFY, key, now + channel.renotifySeconds * 1000);
  }
}

/** Hands queued messages to the notifications Queue; returns whether more wait. */
export async function sendQueued(sql: SqlStorage, queue: Queue): Promise<boolean> {
  const rows = sql
    .exec<{ id: number; payload: string }>(
      `select id, payload from outbox where kind = 'notify' order by id limit ?`,
      SEND_BATCH,
    )
    .toArray();
  const last = rows.at(-1);
  if (!last) return false;
  await queue.sendBatch(
    rows.map((r) => ({
      body: JSON.parse(r.payload) as NotificationMessage,
      contentType: "json" as const,
    })),
  );
  sql.exec(`delete from outbox where kind = 'notify' and id <= ?`, last.id);
  // Asked after the await: messages queued while the Queue was being written count too.
  return hasQueued(sql, "notify");
}
