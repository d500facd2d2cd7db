import type { Business } from "../../schema/contracts/businesses";
import type { RuleKind } from "../../schema/contracts/rules";
import type { ChannelRow } from "../definitions/channels";
import { groupIntervalMs, groupWaitMs } from "../definitions/channels";
import { newId } from "../lib/ids";
import type { NotificationMessage, NotificationType } from "../notify/message";
import type { AlertRecord, AlertStore, TransitionType } from "./engine/alerts";
import { toAlert } from "./engine/alerts";
import { clock } from "./engine/calendar";
import { drain, enqueue } from "./outbox";
import type { SilenceWindow } from "./quiet/window";
import { scheduleAt, unschedule } from "./schedule";

/** Messages handed to the Queue per alarm run (a Queue batch takes at most 100). */
const SEND_BATCH = 100;
export const JOB_NOTIFY = "notify";
export const JOB_RENOTIFY = "renotify";
/** Runs when a silence starts or ends: suppression is looked at again. */
export const JOB_SILENCE = "silence";
/** Sends a channel's held openings as one message; keyed by channel id. */
export const JOB_GROUP = "group";
/** Reminders back off (renotifyAfter, then twice that, four times…) up to this, per channel. */
const RENOTIFY_CAP_MS = 86_400_000;
/** A grouped message names at most this many keys in its summary line. */
const NAMED_KEYS = 3;

export interface NotifierRules {
  /** The channels a rule names, or null for all. */
  channels: (ruleId: string) => string[] | null;
  name: (ruleId: string) => string;
  /** The rules whose open alerts inhibit this rule's. */
  inhibitors: (ruleId: string) => string[];
  kind: (ruleId: string) => RuleKind | undefined;
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
    enqueue(this.sql, "notify", {
      alertId: alert.id,
      transitionId: id,
      channelId: channel.id,
      payload: JSON.stringify(message),
    });
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
    const held = this.heldChannels(alert.id);
    for (const channel of this.targets(alert)) {
      if (told.has(channel.id) || held.has(channel.id)) continue;
      if (this.hold(alert, channel, transitionId, at)) continue;
      this.queue(alert, channel, type, transitionId, at);
      this.told(alert, channel, at);
    }
  }

  /** Records that a channel heard of an alert's opening, and plans its first reminder. */
  private told(alert: AlertRecord, channel: ChannelRow, at: number) {
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

  private heldChannels(alertId: string): Set<string> {
    return new Set(
      this.sql
        .exec<{ channel_id: string }>(
          `select channel_id from group_held where alert_id = ?`,
          alertId,
        )
        .toArray()
        .map((r) => r.channel_id),
    );
  }

  /**
   * Grouping: an opening within `groupWait` of the last message this channel
   * was sent (or while openings are already held) is held, and the held ones go
   * out together when the wait ends, at least `groupInterval` after the previous
   * grouped message. A lone alert is never delayed. Returns whether it was held.
   */
  private hold(alert: AlertRecord, channel: ChannelRow, transitionId: string, at: number): boolean {
    const wait = groupWaitMs(channel);
    if (wait === 0) return false;
    const state = this.sql
      .exec<{ last_sent: number; last_group: number | null }>(
        `select last_sent, last_group from channel_state where channel_id = ?`,
        channel.id,
      )
      .toArray()[0];
    const holding =
      this.sql
        .exec<{ n: number }>(
          `select exists (select 1 from group_held where channel_id = ?) as n`,
          channel.id,
        )
        .one().n === 1;
    if (!holding && (!state || at - state.last_sent >= wait)) {
      this.sql.exec(
        `insert into channel_state (channel_id, last_sent) values (?, ?)
         on conflict (channel_id) do update set last_sent = excluded.last_sent`,
        channel.id,
        at,
      );
      return false;
    }
    this.sql.exec(
      `insert into group_held (channel_id, alert_id, transition_id, at) values (?, ?, ?, ?)
       on conflict do nothing`,
      channel.id,
      alert.id,
      transitionId,
      at,
    );
    if (!holding) {
      const due = Math.max(
        (state?.last_sent ?? at) + wait,
        state?.last_group == null ? 0 : state.last_group + groupIntervalMs(channel),
      );
      scheduleAt(this.sql, JOB_GROUP, channel.id, due);
    }
    return true;
  }

  /** Sends a channel's held openings: one alone as `alert.opened`, several as one `alert.group`. */
  flushGroup(channelId: string, now: number): void {
    unschedule(this.sql, JOB_GROUP, channelId);
    const rows = this.sql
      .exec<{ alert_id: string; transition_id: string }>(
        `select alert_id, transition_id from group_held where channel_id = ? order by at, alert_id`,
        channelId,
      )
      .toArray();
    this.sql.exec(`delete from group_held where channel_id = ?`, channelId);
    const channel = this.channels.find((c) => c.id === channelId);
    if (!channel) return;
    const held: { alert: AlertRecord; transitionId: string }[] = [];
    for (const r of rows) {
      const alert = this.alerts.get(r.alert_id);
      if (alert && alert.status !== "resolved") held.push({ alert, transitionId: r.transition_id });
    }
    const [first] = held;
    if (!first) return;
    if (held.length === 1) {
      this.queue(first.alert, channel, "alert.opened", first.transitionId, now);
    } else {
      const alerts = held.map((h) =>
        toAlert(h.alert, this.business.id, this.rules.name(h.alert.ruleId)),
      );
      const message: NotificationMessage = {
        id: newId("atg", now),
        type: "alert.group",
        timestamp: new Date(now).toISOString(),
        businessId: this.business.id,
        businessName: this.business.name,
        channelId,
        alert: alerts[0] ?? toAlert(first.alert, this.business.id, ""),
        alerts,
        summary: this.groupSummary(held.map((h) => h.alert)),
      };
      enqueue(this.sql, "notify", {
        alertId: first.alert.id,
        transitionId: message.id,
        channelId,
        payload: JSON.stringify(message),
      });
    }
    for (const h of held) this.told(h.alert, channel, now);
    this.sql.exec(
      `insert into channel_state (channel_id, last_sent, last_group) values (?, ?, ?)
       on conflict (channel_id) do update set last_sent = excluded.last_sent, last_group = excluded.last_group`,
      channelId,
      now,
      held.length > 1 ? now : null,
    );
  }

  /** "41 keys silent since 14:05 (Device silent: gh-01, gh-02, gh-03 and 38 more)". */
  private groupSummary(alerts: AlertRecord[]): string {
    const since = clock(Math.min(...alerts.map((a) => a.openedAt)), this.business.timezone);
    const keys = alerts.map((a) => a.groupKey).filter((k) => k !== "");
    const named =
      keys.length > NAMED_KEYS
        ? `${keys.slice(0, NAMED_KEYS).join(", ")} and ${keys.length - NAMED_KEYS} more`
        : keys.join(", ");
    const rules = [...new Set(alerts.map((a) => a.ruleId))];
    const silent = rules.every((r) => this.rules.kind(r) === "absence");
    const names = rules.length <= 2 ? rules.map((r) => this.rules.name(r)).join(", ") : "";
    const detail = [names, named].filter((t) => t !== "").join(": ");
    return `${alerts.length} ${silent ? "keys silent" : "alerts"} since ${since}${detail ? ` (${detail})` : ""}`;
  }

  onTransition(alert: AlertRecord, type: TransitionType, transitionId: string, at: number): void {
    // Backfilled history is for the record: nobody is woken by it, then or when it resolves.
    const free = !alert.historical && this.judge(alert, at);
    if (alert.historical) {
      // Nothing to tell anyone.
    } else if (type === "opened") {
      if (free) this.announce(alert, transitionId, at, "alert.opened");
    } else {
      // Whoever heard of the opening hears of this, suppressed or not; when free, every target does.
      const told = this.notifiedChannels(alert.id);
      // An opening still held for a group is dropped with its alert: nobody heard of it.
      const held = this.heldChannels(alert.id);
      if (held.size && type === "resolved") {
        this.sql.exec(`delete from group_held where alert_id = ?`, alert.id);
      }
      for (const channel of this.channels) {
        const target = this.targets(alert).includes(channel);
        if (held.has(channel.id)) continue;
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
    if (alert.historical) return;
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
    // Backing off: each reminder waits twice as long as the one before, up to a day.
    const sent =
      this.sql
        .exec<{ renotified: number }>(
          `update alert_notified set renotified = renotified + 1
           where alert_id = ? and channel_id = ? returning renotified`,
          alert.id,
          channel.id,
        )
        .toArray()[0]?.renotified ?? 1;
    const base = channel.renotifySeconds * 1000;
    const delay = Math.min(base * 2 ** Math.min(sent, 30), Math.max(RENOTIFY_CAP_MS, base));
    scheduleAt(this.sql, JOB_RENOTIFY, key, now + delay);
  }
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
