import { Cron } from "croner";
import type { ActiveSchedule } from "../../../schema/contracts/rules";
import { weekdays } from "../../../schema/contracts/rules";
import { refuse } from "./definition-error";

const MINUTE = 60_000;
/** How far ahead an active-time deadline is searched (a schedule that is never active stops here). */
const HORIZON_MS = 60 * 86_400_000;

/** Turns `{ days, hours }` into the cron pattern of its active minutes. */
export function cronPattern(active: ActiveSchedule): string {
  if (typeof active === "string") return active;
  const days = active.days
    ? active.days
        .map((d) => weekdays.indexOf(d) + 1)
        .map((d) => d % 7)
        .join(",")
    : "*";
  let hours = "*";
  if (active.hours) {
    const [from, to] = active.hours.split("-").map(Number) as [number, number];
    if (to <= from) throw refuse("active.hours", "must end after it starts (e.g. 06-22)");
    hours = `${from}-${to - 1}`;
  }
  return `* ${hours} * * ${days}`;
}

/** When a rule counts time: always, or in the minutes its schedule names. */
export class ActiveTime {
  private readonly cron: Cron | undefined;

  constructor(active: ActiveSchedule | undefined, timeZone: string, path = "active") {
    if (!active) return;
    try {
      this.cron = new Cron(cronPattern(active), { timezone: timeZone, paused: true });
    } catch (error) {
      throw refuse(
        path,
        `is not a valid schedule: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  isActive(ms: number): boolean {
    return !this.cron || this.cron.match(new Date(Math.floor(ms / MINUTE) * MINUTE));
  }

  /**
   * The instant at which `window` of active time has passed since `from`.
   * Inactive stretches are jumped over; active minutes are counted.
   */
  deadline(from: number, window: number): number {
    if (!this.cron) return from + window;
    let t = from;
    let left = window;
    const limit = from + HORIZON_MS;
    while (left > 0 && t < limit) {
      if (this.isActive(t)) {
        const step = Math.min(left, MINUTE - (t % MINUTE));
        t += step;
        left -= step;
      } else {
        const next = this.cron.nextRun(new Date(t));
        if (!next) return Number.POSITIVE_INFINITY;
        t = Math.max(next.getTime(), t + 1);
      }
    }
    return left > 0 ? Number.POSITIVE_INFINITY : t;
  }
}
