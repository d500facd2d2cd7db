import { RRuleTemporal } from "rrule-temporal";
import type { SilenceDef } from "../../definitions/silences";
import { refuse } from "../engine/definition-error";

export interface Occurrence {
  start: number;
  end: number;
}

/** `20261127T000000`: the local date of `ms` in `timeZone`, at midnight (the recurrence's DTSTART). */
function localMidnight(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}${get("month")}${get("day")}T000000`;
}

/** Parses an RRULE value in a time zone, from the local midnight of `from`; 422 on a bad rule. */
export function recurrence(rrule: string, timeZone: string, from: number): RRuleTemporal {
  if (/[\r\n]|DTSTART|RRULE:/i.test(rrule))
    throw refuse("schedule.rrule", "must be the RRULE value alone, e.g. FREQ=WEEKLY;BYDAY=SA");
  try {
    const rule = new RRuleTemporal({
      rruleString: `DTSTART;TZID=${timeZone}:${localMidnight(from, timeZone)}\nRRULE:${rrule}`,
    });
    rule.next(new Date(from), true);
    return rule;
  } catch (error) {
    throw refuse(
      "schedule.rrule",
      `is not a valid recurrence rule: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** When a silence is active: once (start to end), or every occurrence of its RRULE for its duration. */
export class SilenceWindow {
  private readonly rule: RRuleTemporal | undefined;

  constructor(
    readonly def: SilenceDef,
    timeZone: string,
  ) {
    if (def.rrule && def.durationMs) this.rule = recurrence(def.rrule, timeZone, def.startsAt);
  }

  matches(ruleId: string, groupKey: string): boolean {
    return (
      (this.def.ruleId === null || this.def.ruleId === ruleId) &&
      (this.def.groupKey === null || this.def.groupKey === groupKey)
    );
  }

  /** The occurrence that holds `t`, if any. */
  current(t: number): Occurrence | undefined {
    const { startsAt, endsAt, durationMs } = this.def;
    if (!this.rule || !durationMs) {
      return t >= startsAt && (endsAt === null || t < endsAt)
        ? { start: startsAt, end: endsAt ?? Number.POSITIVE_INFINITY }
        : undefined;
    }
    if (t < startsAt) return undefined;
    const previous = this.rule.previous(new Date(t), true)?.epochMilliseconds;
    // An occurrence already under way when the silence starts counts (from startsAt on).
    if (previous === undefined || previous + durationMs <= startsAt) return undefined;
    if (endsAt !== null && previous > endsAt) return undefined;
    return t < previous + durationMs ? { start: previous, end: previous + durationMs } : undefined;
  }

  activeAt(t: number): boolean {
    return this.current(t) !== undefined;
  }

  /** The first occurrence that starts after `t`. */
  private nextStart(t: number): number | undefined {
    const { startsAt, endsAt } = this.def;
    if (!this.rule) return t < startsAt ? startsAt : undefined;
    const from = Math.max(t + 1, startsAt);
    const next = this.rule.next(new Date(from), true)?.epochMilliseconds;
    if (next === undefined || (endsAt !== null && next > endsAt)) return undefined;
    return next;
  }

  /** The next instant after `t` at which the silence may start or stop silencing. */
  nextChange(t: number): number | undefined {
    const now = this.current(t);
    if (now) return Number.isFinite(now.end) ? now.end : undefined;
    return this.nextStart(t);
  }

  /** The current occurrence (if any) and the next ones, up to `n`. */
  occurrences(t: number, n: number): Occurrence[] {
    const out: Occurrence[] = [];
    const now = this.current(t);
    if (now) out.push(now);
    let from = now ? now.start : t;
    while (out.length < n) {
      const start = this.nextStart(from);
      if (start === undefined) break;
      const end = this.def.durationMs ? start + this.def.durationMs : (this.def.endsAt ?? start);
      out.push({ start, end });
      if (!this.rule) break;
      from = start;
    }
    return out;
  }
}
