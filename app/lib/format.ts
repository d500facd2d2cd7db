/** `3 min ago`, `2 h ago`, for times a person scans. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return s > -60 ? "just now" : `in ${duration(-s * 1000)}`;
  if (s < 60) return `${s} s ago`;
  return `${duration(s * 1000)} ago`;
}

/** A span in words: `45 s`, `12 min`, `3 h 20 min`, `4 days`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.round((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.round(s / 86_400);
  return `${d} day${d === 1 ? "" : "s"}`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${seconds}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      ...(seconds ? { second: "2-digit" } : {}),
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
    formats.set(key, f);
  }
  return f;
}

/**
 * A time in a zone, named: `27 Nov 15:08 GMT+1` (the year only when it is not
 * `thisYear`). The same text on the server and in the browser, so pages hydrate
 * without a mismatch.
 */
export function when(
  iso: string | number | null | undefined,
  timeZone = "UTC",
  opts: { seconds?: boolean; year?: boolean } = {},
): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  const parts = Object.fromEntries(
    formatter(timeZone, opts.seconds ?? false)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const time = `${parts.hour}:${parts.minute}${opts.seconds ? `:${parts.second}` : ""}`;
  // UTC's short name is "GMT" in one ICU and "GMT+0" in another (workerd's).
  const zone = /^GMT(\+0)?$/.test(parts.timeZoneName ?? "") ? "UTC" : parts.timeZoneName;
  return `${parts.day} ${parts.month}${opts.year ? ` ${parts.year}` : ""} ${time} ${zone}`;
}

const numberFormats = new Map<number, Intl.NumberFormat>();
/** A number as people read it: `150,000`, `21.8`, `0.0042`; never `1.535e+5`. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : abs === 0 ? 0 : 3;
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", {
      maximumFractionDigits: digits,
      ...(abs < 1 && abs > 0 ? { maximumSignificantDigits: 2 } : {}),
    });
    numberFormats.set(digits, f);
  }
  return f.format(v);
}

/** A number with its unit: `9,100 ms`, `21.8 °C`, `42`. */
export function withUnit(v: number | null | undefined, unit?: string | null): string {
  const n = num(v);
  return unit && n !== "—" ? `${n} ${unit}` : n;
}

/** Axis ticks: short (`150k`, `1.2M`) so labels fit. */
export function compact(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${num(v / 1e9)}G`;
  if (abs >= 1e6) return `${num(v / 1e6)}M`;
  if (abs >= 1e4) return `${num(v / 1e3)}k`;
  return num(v);
}

function tickParts(ms: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    formatter(timeZone, false)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
}

/**
 * A chart's time axis ticks (ms) in the business's zone, on the 24-hour clock
 * like every other time: `14:00`, with the day (`28 Nov`) on the first tick
 * and where the day changes; ticks a day or more apart are days only.
 */
export function timeTicks(ticks: number[], timeZone: string, stepMs: number): string[] {
  let day = "";
  return ticks.map((ms) => {
    const p = tickParts(ms, timeZone);
    const date = `${p.day} ${p.month}`;
    if (stepMs >= 86_400_000) return date;
    const time = `${p.hour}:${p.minute}`;
    const changed = date !== day;
    day = date;
    return changed ? `${date}\n${time}` : time;
  });
}
