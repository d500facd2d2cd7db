import type { Business } from "../../schema/contracts/businesses";
import type { RuleKind } from "../../schema/contracts/rules";
import type { ChannelRow } from "../definitions/channels";
import { newId } from "../lib/ids";
import type { NotificationMessage, NotificationType } from "../notify/message";
import type { AlertRecord, TransitionType } from "./engine/alert-record";
import { toAlert } from "./engine/alert-record";
import type { AlertStore } from "./engine/alerts";
import { ChannelGroups, groupSummary } from "./grouping";
import { noticeOf, queueNotice } from "./notices";
import type { SilenceWindow } from "./quiet/window";
import { scheduleAt, unschedule } from "./schedule";
import { columnOf } from "./storage";

export const JOB_RENOTIFY = "renotify";
/** Runs when a silence starts or ends: suppression is looked at again. */
export const JOB_SILENCE = "silence";
/** Reminders back off (renotifyAfter, then twice that, four times…) up to this, per channel. */
const RENOTIFY_CAP_MS = 86_400_000;

export interface NotifierRules {
  /** The channels a rule names, or null for all. */
  channels: (ruleId: string) => string[] | null;
  name: (ruleId: string) => string;
  /** The rules whose open alerts inhibit this rule's. */
  inhibitors: (ruleId: string) => string[];
  /** Whether a rule has an active alert in another object of a sharded business (shards/inhibit.ts). */
  activeElsewhere: (ruleId: string) => boolean;
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
  private readonly groups: ChannelGroups;

  constructor(
    private readonly sql: SqlStorage,
    private readonly business: Business,
    private readonly channels: ChannelRow[],
    private readonly rules: NotifierRules,
    private readonly silences: SilenceWindow[],
    private readonly alerts: AlertStore,
    ruleIds: string[],
  ) {
    this.groups = new ChannelGroups(sql);
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
    const name = this.rules.name(alert.ruleId);
    queueNotice(this.sql, alert.id, noticeOf(this.business, channel.id, alert, name, type, id, at));
  }

  silencedAt(ruleId: string, groupKey: string, now: number): boolean {
    return this.silences.some((s) => s.matches(ruleId, groupKey) && s.activeAt(now));
  }

  inhibited(ruleId: string): boolean {
    return this.rules
      .inhibitors(ruleId)
      .some((parent) => this.alerts.hasActive(parent) || this.rules.activeElsewhere(parent));
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
      columnOf<string>(
        this.sql,
        `select channel_id from alert_notified where alert_id = ?`,
        alertId,
      ),
    );
  }

  /** Announces an alert's opening on every target channel that has not heard of it yet. */
  private announce(alert: AlertRecord, transitionId: string, at: number, type: NotificationType) {
    const told = this.notifiedChannels(alert.id);
    const held = this.groups.held(alert.id);
    for (const channel of this.targets(alert)) {
      if (told.has(channel.id) || held.has(channel.id)) continue;
      if (this.groups.hold(alert, channel, transitionId, at)) continue;
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

  /** Sends a channel's held openings: one alone as `alert.opened`, several as one `alert.group`. */
  flushGroup(channelId: string, now: number): void {
    const rows = this.groups.take(channelId);
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
        ...noticeOf(
          this.business,
          channelId,
          first.alert,
          "",
          "alert.group",
          newId("atg", now),
          now,
        ),
        alert: alerts[0] ?? toAlert(first.alert, this.business.id, ""),
        alerts,
        summary: groupSummary(
          held.map((h) => h.alert),
          this.business.timezone,
          this.rules,
        ),
      };
      queueNotice(this.sql, first.alert.id, message);
    }
    for (const h of held) this.told(h.alert, channel, now);
    this.groups.sent(channelId, now, held.length > 1);
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
      const held = this.groups.held(alert.id);
      if (held.size && type === "resolved") this.groups.drop(alert.id);
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
