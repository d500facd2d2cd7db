import type { Business } from "../../schema/contracts/businesses";
import type { ChannelRow } from "../api/channels/service";
import { newId } from "../lib/ids";
import type { NotificationMessage, NotificationType } from "../notify/message";
import { hasQueued } from "./alert-index";
import type { AlertRecord, AlertStore, TransitionType } from "./engine/alerts";
import { toAlert } from "./engine/alerts";
import type { SilenceWindow } from "./quiet/window";
import { scheduleAt, unschedule } from "./schedule";

/** Messages handed to the Queue per alarm run (a Queue batch takes at most 100). */
const SEND_BATCH = 100;
export const JOB_NOTIFY = "notify";
export const JOB_RENOTIFY = "renotify";
/** Runs when a silence starts or ends: suppression is looked at again. */
export const JOB_SILENCE = "silence";

export interface NotifierRules {
  /** The channels a rule names, or null for all. */
  channels: (ruleId: string) => string[] | null;
  name: (ruleId: string) => string;
  /** The rules whose open alerts inhibit this rule's. */
  inhibitors: (ruleId: string) => string[];
}

/**
 * Turns alert transitions into notification messages, one per channel that
 * wants it, written to the outbox in the transition's own transaction; the
 * alarm hands them to the Queue, so a failed send is retried and none is lost.
 *
 * Silences and inhibition suppress an alert's notifications, never its
 * lifecycle. The channels that heard of an alert's opening are recorded, and
 * they hear of its acknowledgement and resolution whatever suppression began
 * meanwhile. An alert that opened suppressed is announced when the
 * suppression ends while it is still active.
 */
export class Notifier {
  /** For each rule, the rules it inhibits. */
  private readonly dependents = new Map<string, string[]>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly business: Business,
    private readonly channels: ChannelRow[],
    private readonly rules: NotifierRules,
    private readonly silences: SilenceWindow[],
    private readonly alerts: AlertStore,
    ruleIds: string[],
  ) {
    for (const id of ruleIds) {
      for (const parent of rules.inhibitors(id)) {
        this.dependents.set(parent, [...(this.dependents.get(parent) ?? []), id]);
      }
    }
  }

  private targets(alert: AlertRecord): ChannelRow[] {
    const named = this.rules.channels(alert.ruleId);
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
      alert: toAlert(alert, this.business.id, this.rules.name(alert.ruleId)),
    };
    this.sql.exec(
      `insert into outbox (kind, alert_id, transition_id, channel_id, payload) values ('notify', ?, ?, ?, ?)`,
      alert.id,
      id,
      channel.id,
      JSON.stringify(message),
    );
  }

  silencedAt(ruleId: string, groupKey: string, now: number): boolean {
    return this.silences.some((s) => s.matches(ruleId, groupKey) && s.activeAt(now));
  }

  inhibited(ruleId: string): boolean {
    return this.rules.inhibitors(ruleId).some((parent) => this.alerts.hasActive(parent));
  }

  /** Recomputes an alert's flags; returns whether it may notify now. */
  private judge(alert: AlertRecord, now: number): boolean {
    const silenced = this.silencedAt(alert.ruleId, alert.groupKey, now);
    const inhibited = this.inhibited(alert.ruleId);
    this.alerts.suppress(alert, silenced, inhibited);
    return !silenced && !inhibited;
  }

  private notifiedChannels(alertId: string): Set<string> {
    return new Set(
      this.sql
        .exec<{ channel_id: string }>(
          `select channel_id from alert_notified where alert_id = ?`,
          alertId,
        )
        .toArray()
        .map((r) => r.channel_id),
    );
  }

  /** Announces an alert's opening on every target channel that has not heard of it yet. */
  private announce(alert: AlertRecord, transitionId: string, at: number, type: NotificationType) {
    const told = this.notifiedChannels(alert.id);
    for (const channel of this.targets(alert)) {
      if (told.has(channel.id)) continue;
      this.queue(alert, channel, type, transitionId, at);
      this.sql.exec(
        `insert into alert_notified (alert_id, channel_id) values (?, ?) on conflict do nothing`,
        alert.id,
        channel.id,
      );
      if (channel.renotifySeconds) {
        scheduleAt(
          this.sql,
          JOB_RENOTIFY,
          `${alert.id}\n${channel.id}`,
          at + channel.renotifySeconds * 1000,
        );
      }
    }
  }

  onTransition(alert: AlertRecord, type: TransitionType, transitionId: string, at: number): void {
    const free = this.judge(alert, at);
    if (type === "opened") {
      if (free) this.announce(alert, transitionId, at, "alert.opened");
    } else {
      // Whoever heard of the opening hears of this, suppressed or not; when free, every target does.
      const told = this.notifiedChannels(alert.id);
      for (const channel of this.channels) {
        const target = this.targets(alert).includes(channel);
        if (!told.has(channel.id) && !(free && target)) continue;
        this.queue(alert, channel, `alert.${type}`, transitionId, at);
        if (type === "resolved") unschedule(this.sql, JOB_RENOTIFY, `${alert.id}\n${channel.id}`);
      }
      if (type === "resolved") {
        this.sql.exec(`delete from alert_notified where alert_id = ?`, alert.id);
      }
    }
    const dependents = this.dependents.get(alert.ruleId);
    if (dependents && type !== "acknowledged") {
      for (const ruleId of dependents) {
        for (const child of this.alerts.activeOfRule(ruleId)) this.reconsider(child, at);
      }
    }
  }

  /** Looks at an active alert's suppression again; one that became free is announced now. */
  private reconsider(alert: AlertRecord, now: number): void {
    const was = alert.silenced || alert.inhibited;
    if (!this.judge(alert, now) || !was) return;
    const opened = this.sql
      .exec<{ id: string }>(
        `select id from alert_log where alert_id = ? and type = 'opened' limit 1`,
        alert.id,
      )
      .toArray()[0];
    this.announce(alert, opened?.id ?? newId("atr", now), now, "alert.opened");
  }

  /**
   * Looks at every active alert again (a silence started, ended or changed) and
   * plans the next look at the next silence boundary.
   */
  refresh(now: number): void {
    for (const alert of this.alerts.allActive()) this.reconsider(alert, now);
    let next: number | undefined;
    for (const s of this.silences) {
      const change = s.nextChange(now);
      if (change !== undefined && (next === undefined || change < next)) next = change;
    }
    if (next === undefined) unschedule(this.sql, JOB_SILENCE);
    else scheduleAt(this.sql, JOB_SILENCE, "", next);
  }

  /** A reminder for an alert still open (acknowledged ones are being handled), then the next one. */
  renotify(key: string, now: number): void {
    const [alertId = "", channelId] = key.split("\n");
    unschedule(this.sql, JOB_RENOTIFY, key);
    const alert = this.alerts.get(alertId);
    const channel = this.channels.find((c) => c.id === channelId);
    if (
      alert?.status !== "open" ||
      !channel?.renotifySeconds ||
      !this.targets(alert).includes(channel)
    )
      return;
    // Suppressed alerts are not repeated; the reminders go on once it ends.
    if (this.judge(alert, now)) {
      this.queue(alert, channel, "alert.renotified", newId("atr", now), now);
    }
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
