import type { Business } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import type { Counter } from "../../business/counters";
import type { RawEvent } from "../body";

/**
 * OTLP log records and metric data points → flat events (docs/integrations.md#opentelemetry):
 * - attribute keys become field names, every character outside [A-Za-z0-9_] turned into `_`
 *   (`service.name` → `service_name`);
 * - resource and scope attributes fill only fields the business declares (SDKs add many);
 *   record and data point attributes, and the keys of a map body, are fields like any event's;
 * - the record's or point's time fills the business's time field.
 */
export interface Item {
  raw: RawEvent;
  /** Where the record is in the request, for error messages: `resourceLogs.0.scopeLogs.1.logRecords.2`. */
  path: string;
  /** Cumulative sums and counts, turned into deltas by the business's object. */
  counter?: Omit<Counter, "index">;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function fieldName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** An OTLP AnyValue as a flat value: arrays and maps become JSON text. */
function anyValue(v: unknown): EventValue | undefined {
  if (!isObj(v)) return undefined;
  if ("stringValue" in v) return String(v.stringValue);
  if ("boolValue" in v) return Boolean(v.boolValue);
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return String(v.bytesValue);
  if ("arrayValue" in v || "kvlistValue" in v) return JSON.stringify(plain(v));
  return null;
}

function plain(v: unknown): unknown {
  if (!isObj(v)) return null;
  if (isObj(v.arrayValue)) return list(v.arrayValue.values).map(plain);
  if (isObj(v.kvlistValue)) return Object.fromEntries(pairs(v.kvlistValue.values));
  const scalar = anyValue(v);
  return scalar === undefined ? null : scalar;
}

function pairs(attributes: unknown): [string, unknown][] {
  return list(attributes)
    .filter(isObj)
    .map((kv) => [String(kv.key ?? ""), plain(kv.value)]);
}

function attributes(attrs: unknown): Record<string, EventValue> {
  const out: Record<string, EventValue> = {};
  for (const kv of list(attrs).filter(isObj)) {
    const v = anyValue(kv.value);
    if (v !== undefined) out[fieldName(String(kv.key ?? ""))] = v;
  }
  return out;
}

/** Nanoseconds since the epoch (a decimal string or number) → ms; undefined when 0 or absent. */
function millis(nanos: unknown): number | undefined {
  if (typeof nanos !== "string" && typeof nanos !== "number") return undefined;
  try {
    const ms = Number(BigInt(nanos) / 1_000_000n);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

class Context {
  private readonly declared: Set<string>;

  constructor(private readonly business: Business) {
    this.declared = new Set(business.fields.map((f) => f.name));
  }

  /** Only fields the business declares. */
  declaredOnly(values: Record<string, EventValue | undefined>): Record<string, EventValue> {
    const out: Record<string, EventValue> = {};
    for (const [k, v] of Object.entries(values))
      if (v !== undefined && this.declared.has(k)) out[k] = v;
    return out;
  }

  withTime(event: Record<string, EventValue>, ms: number | undefined) {
    if (ms !== undefined && !(this.business.timeField in event))
      event[this.business.timeField] = ms;
    return event;
  }

  /** Resource and scope attributes, declared fields only. */
  scope(resource: unknown, scope: unknown): Record<string, EventValue> {
    const r = isObj(resource) ? attributes(resource.attributes) : {};
    const s = isObj(scope) ? attributes(scope.attributes) : {};
    return this.declaredOnly({ ...r, ...s });
  }
}

/**
 * Each scope of an OTLP request (resource, then scope: `resourceLogs.0.scopeLogs.1`),
 * with the attributes it gives its records and its path.
 */
function eachScope(
  request: unknown,
  [resources, scopes]: ["resourceLogs", "scopeLogs"] | ["resourceMetrics", "scopeMetrics"],
  ctx: Context,
  visit: (scope: Obj, base: Record<string, EventValue>, path: string) => void,
): void {
  const body = isObj(request) ? request : {};
  list(body[resources]).forEach((resource, i) => {
    if (!isObj(resource)) return;
    list(resource[scopes]).forEach((scope, j) => {
      if (!isObj(scope)) return;
      visit(scope, ctx.scope(resource.resource, scope.scope), `${resources}.${i}.${scopes}.${j}`);
    });
  });
}

export function mapLogs(request: unknown, business: Business): Item[] {
  const ctx = new Context(business);
  const items: Item[] = [];
  eachScope(request, ["resourceLogs", "scopeLogs"], ctx, (sl, base, at) => {
    list(sl.logRecords).forEach((record, k) => {
      const path = `${at}.logRecords.${k}`;
      if (!isObj(record)) {
        items.push({ path, raw: { ok: false, message: "a log record is an object" } });
        return;
      }
      const bodyValue = record.body;
      const mapBody = isObj(bodyValue) && isObj(bodyValue.kvlistValue);
      const event: Record<string, EventValue> = {
        ...base,
        ...ctx.declaredOnly({
          severity: typeof record.severityText === "string" ? record.severityText : undefined,
          severityNumber:
            record.severityNumber === undefined ? undefined : Number(record.severityNumber),
          body: mapBody ? undefined : anyValue(bodyValue),
          eventName: typeof record.eventName === "string" ? record.eventName : undefined,
          traceId: typeof record.traceId === "string" ? record.traceId : undefined,
          spanId: typeof record.spanId === "string" ? record.spanId : undefined,
        }),
        ...(mapBody && isObj(bodyValue.kvlistValue)
          ? attributes(bodyValue.kvlistValue.values)
          : {}),
        ...attributes(record.attributes),
      };
      const time = millis(record.timeUnixNano) ?? millis(record.observedTimeUnixNano);
      items.push({ path, raw: { ok: true, value: ctx.withTime(event, time) } });
    });
  });
  return items;
}

const CUMULATIVE = 2;

const number = (v: unknown): number | undefined =>
  v === undefined || v === null || v === "" ? undefined : Number(v);

export function mapMetrics(request: unknown, business: Business): Item[] {
  const ctx = new Context(business);
  const items: Item[] = [];
  eachScope(request, ["resourceMetrics", "scopeMetrics"], ctx, (sm, base, at) => {
    const scopeName = isObj(sm.scope) ? String(sm.scope.name ?? "") : "";
    list(sm.metrics).forEach((metric, k) => {
      if (!isObj(metric)) return;
      const name = fieldName(String(metric.name ?? ""));
      const kind = (["gauge", "sum", "histogram", "exponentialHistogram", "summary"] as const).find(
        (key) => isObj(metric[key]),
      );
      if (!kind) return;
      const data = metric[kind] as Obj;
      const cumulative =
        kind === "summary" ||
        (kind !== "gauge" && Number(data.aggregationTemporality) === CUMULATIVE);
      list(data.dataPoints).forEach((point, p) => {
        const path = `${at}.metrics.${k}.dataPoints.${p}`;
        if (!isObj(point)) {
          items.push({ path, raw: { ok: false, message: "a data point is an object" } });
          return;
        }
        const own = attributes(point.attributes);
        const values: Record<string, number | undefined> =
          kind === "gauge" || kind === "sum"
            ? { [name]: number(point.asDouble ?? point.asInt) }
            : {
                [`${name}_count`]: number(point.count),
                [`${name}_sum`]: number(point.sum),
                [`${name}_min`]: number(point.min),
                [`${name}_max`]: number(point.max),
              };
        const event: Record<string, EventValue> = {
          ...base,
          ...ctx.declaredOnly({ metric: String(metric.name ?? "") }),
          ...own,
        };
        for (const [field, v] of Object.entries(values)) if (v !== undefined) event[field] = v;
        const item: Item = {
          path,
          raw: { ok: true, value: ctx.withTime(event, millis(point.timeUnixNano)) },
        };
        if (cumulative) {
          const summed =
            kind === "sum" ? [name] : [`${name}_count`, `${name}_sum`].filter((f) => f in event);
          item.counter = {
            series: JSON.stringify([metric.name, scopeName, base, own]),
            start: millis(point.startTimeUnixNano) ?? 0,
            fields: summed,
          };
        }
        items.push(item);
      });
    });
  });
  return items;
}
