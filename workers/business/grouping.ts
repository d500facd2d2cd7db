import type { RuleKind } from "../../schema/contracts/rules";
import type { ChannelRow } from "../definitions/channels";
import { groupIntervalMs, groupWaitMs } from "../definitions/channels";
import type { AlertRecord } from "./engine/alert-record";
import { clock } from "./engine/calendar";
import { scheduleAt, unschedule } from "./schedule";
import { columnOf } from "./storage";

/** Sends a channel's held openings as one message; keyed by channel id. */
export const JOB_GROUP = "group";
/** A grouped message names at most this many keys in its summary line. */
const NAMED_KEYS = 3;

/**
 * Grouping: an opening within `groupWait` of the last message a channel was
 * sent (or while openings are already held) is held, and the held ones go out
 * together when the wait ends, at least `groupInterval` after the previous
 * grouped message. A lone alert is never delayed.
 */
export class ChannelGroups {
  constructor(private readonly sql: SqlStorage) {}

  /** The channels that hold an alert's opening. */
  held(alertId: string): Set<string> {
    return new Set(
      columnOf<string>(this.sql, `select channel_id from group_held where alert_id = ?`, alertId),
    );
  }

  /** Drops an alert's held openings (it resolved before anybody heard of it). */
  drop(alertId: string): void {
    this.sql.exec(`delete from group_held where alert_id = ?`, alertId);
  }

  /** Holds an opening for the channel's next grouped message, or notes a message sent now; returns whether it was held. */
  hold(alert: AlertRecord, channel: ChannelRow, transitionId: string, at: number): boolean {
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

  /** Takes a channel's held openings (oldest first) off the table and its job off the schedule. */
  take(channelId: string): { alert_id: string; transition_id: string }[] {
    unschedule(this.sql, JOB_GROUP, channelId);
    const rows = this.sql
      .exec<{ alert_id: string; transition_id: string }>(
        `select alert_id, transition_id from group_held where channel_id = ? order by at, alert_id`,
        channelId,
      )
      .toArray();
    this.sql.exec(`delete from group_held where channel_id = ?`, channelId);
    return rows;
  }

  /** Notes the message a channel was sent from its held openings (`grouped`: several as one). */
  sent(channelId: string, now: number, grouped: boolean): void {
    this.sql.exec(
      `insert into channel_state (channel_id, last_sent, last_group) values (?, ?, ?)
       on conflict (channel_id) do update set last_sent = excluded.last_sent, last_group = excluded.last_group`,
      channelId,
      now,
      grouped ? now : null,
    );
  }
}

/** "41 keys silent since 14:05 (Device silent: gh-01, gh-02, gh-03 and 38 more)". */
export function groupSummary(
  alerts: AlertRecord[],
  timeZone: string,
  rules: { name: (ruleId: string) => string; kind: (ruleId: string) => RuleKind | undefined },
): string {
  const since = clock(Math.min(...alerts.map((a) => a.openedAt)), timeZone);
  const keys = alerts.map((a) => a.groupKey).filter((k) => k !== "");
  const named =
    keys.length > NAMED_KEYS
      ? `${keys.slice(0, NAMED_KEYS).join(", ")} and ${keys.length - NAMED_KEYS} more`
      : keys.join(", ");
  const ruleIds = [...new Set(alerts.map((a) => a.ruleId))];
  const silent = ruleIds.every((r) => rules.kind(r) === "absence");
  const names = ruleIds.length <= 2 ? ruleIds.map((r) => rules.name(r)).join(", ") : "";
  const detail = [names, named].filter((t) => t !== "").join(": ");
  return `${alerts.length} ${silent ? "keys silent" : "alerts"} since ${since}${detail ? ` (${detail})` : ""}`;
}
