import type { Business } from "../../../schema/contracts/businesses";
import type { Series, SeriesFn, StoredEvent } from "../../../schema/contracts/events";
import type { EventFilter } from "../../business/events";
import { listEventsAll, seriesAll } from "../../definitions/shard-reads";
import { formatDuration, parseDuration } from "../../lib/duration";
import { invalid } from "../../lib/errors";
import { iso, MAX_TIME_MS, parseTimeParam } from "../../lib/time";

const DAY = 86_400_000;
const MAX_BUCKETS = 5000;

/** A time query parameter: RFC 3339 or epoch milliseconds. */
function timeParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const result = parseTimeParam(value);
  if (!result.ok) throw invalid(name, result.message);
  return result.ms;
}

function range(q: { from?: string | undefined; to?: string | undefined }, defaultSpan: number) {
  const to = timeParam("to", q.to, Date.now() + 60_000);
  const from = timeParam(
    "from",
    q.from,
    q.to === undefined && q.from === undefined ? Math.max(0, to - defaultSpan) : 0,
  );
  if (from >= to) throw invalid("from", "must be before to");
  return { from, to };
}

function declared(business: Business, name: string, param: string) {
  const field = business.fields.find((f) => f.name === name);
  if (!field) throw invalid(param, `'${name}' is not a field of this business`);
  return field;
}

/** Query values arrive as text; compare them the way the field is stored. */
function filterValue(business: Business, field: string, value: string): EventFilter {
  const f = declared(business, field, "field");
  if (f.type === "number" || f.type === "integer") {
    const n = Number(value);
    if (!Number.isFinite(n)) throw invalid("value", `'${field}' is a number field`);
    return { field, value: n };
  }
  if (f.type === "boolean") return { field, value: value === "true" ? 1 : 0 };
  return { field, value };
}

const encodeCursor = (c: { time: number; seq: number }) => `${c.time}.${c.seq}`;
function decodeCursor(text: string): { time: number; seq: number } {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  const [time, seq] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || time > MAX_TIME_MS || !Number.isSafeInteger(seq))
    throw invalid("cursor", "is not a cursor this API gave out");
  return { time, seq };
}

export async function listEvents(
  env: Env,
  business: Business,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
    field?: string | undefined;
    value?: string | undefined;
  },
): Promise<{ items: StoredEvent[]; nextCursor: string | null }> {
  const { from, to } = range(q, 3650 * DAY);
  if ((q.field === undefined) !== (q.value === undefined)) {
    throw invalid(q.field === undefined ? "field" : "value", "field and value go together");
  }
  const filter =
    q.field !== undefined && q.value !== undefined
      ? filterValue(business, q.field, q.value)
      : undefined;
  const page = await listEventsAll(env, business, {
    from,
    to,
    limit: q.limit,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    filter,
  });
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
}

const niceBuckets = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, DAY, 7 * DAY];

/** A chart's range (default: the last day) and bucket width (default: about 120 buckets), checked. */
export function bucketRange(q: {
  from?: string | undefined;
  to?: string | undefined;
  bucket?: string | undefined;
}) {
  const { from, to } = range(q, DAY);
  const bucketMs = q.bucket
    ? parseDuration(q.bucket)
    : (niceBuckets.find((b) => (to - from) / b <= 120) ?? Math.ceil((to - from) / 120 / DAY) * DAY);
  if (!bucketMs) throw invalid("bucket", "must be a positive duration like 30s, 5m, 1h or 1d");
  if ((to - from) / bucketMs > MAX_BUCKETS) {
    throw invalid(
      "bucket",
      `gives more than ${MAX_BUCKETS} buckets over this range; choose a wider bucket`,
    );
  }
  return { from, to, bucketMs };
}

export async function getSeries(
  env: Env,
  business: Business,
  q: {
    field?: string | undefined;
    fn?: SeriesFn | undefined;
    bucket?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    groupBy?: string | undefined;
    group?: string | undefined;
  },
): Promise<Series> {
  const { from, to, bucketMs } = bucketRange(q);
  const fn: SeriesFn = q.fn ?? (q.field ? "avg" : "count");
  if (q.field) {
    const f = declared(business, q.field, "field");
    if (fn !== "count" && !["number", "integer"].includes(f.type)) {
      throw invalid("field", `'${q.field}' is a ${f.type} field; ${fn} needs a number`);
    }
  } else if (fn !== "count") {
    throw invalid("field", `${fn} needs a numeric field`);
  }
  if (q.groupBy) declared(business, q.groupBy, "groupBy");
  if (q.group !== undefined && !q.groupBy) throw invalid("group", "needs groupBy");
  const { items, incompleteBefore } = await seriesAll(env, business, {
    field: q.field ?? null,
    fn,
    bucketMs,
    from,
    to,
    groupBy: q.groupBy ?? null,
    group: q.group ?? null,
  });
  return {
    field: q.field ?? null,
    fn,
    bucket: formatDuration(bucketMs),
    from: iso(from),
    to: iso(to),
    groupBy: q.groupBy ?? null,
    items,
    incompleteBefore: incompleteBefore === null ? null : iso(incompleteBefore),
    nextCursor: null,
  };
}
