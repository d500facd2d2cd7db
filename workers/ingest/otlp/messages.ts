import type { MessageSpec } from "./decode";

/**
 * The parts of opentelemetry-proto (collector/logs/v1, collector/metrics/v1)
 * that Anom reads, by field number. Names are OTLP/JSON's.
 */
const AnyValue = (): MessageSpec => ({
  1: { name: "stringValue", type: "string" },
  2: { name: "boolValue", type: "bool" },
  3: { name: "intValue", type: "int64" },
  4: { name: "doubleValue", type: "double" },
  5: { name: "arrayValue", type: ArrayValue },
  6: { name: "kvlistValue", type: KeyValueList },
  7: { name: "bytesValue", type: "bytes" },
});
const ArrayValue = (): MessageSpec => ({ 1: { name: "values", type: AnyValue, repeated: true } });
const KeyValueList = (): MessageSpec => ({
  1: { name: "values", type: KeyValue, repeated: true },
});
const KeyValue = (): MessageSpec => ({
  1: { name: "key", type: "string" },
  2: { name: "value", type: AnyValue },
});
const attributes = (no: number) => ({
  [no]: { name: "attributes", type: KeyValue, repeated: true },
});
const Resource = (): MessageSpec => ({ ...attributes(1) });
const Scope = (): MessageSpec => ({
  1: { name: "name", type: "string" },
  2: { name: "version", type: "string" },
  ...attributes(3),
});

const LogRecord = (): MessageSpec => ({
  1: { name: "timeUnixNano", type: "fixed64" },
  11: { name: "observedTimeUnixNano", type: "fixed64" },
  2: { name: "severityNumber", type: "int32" },
  3: { name: "severityText", type: "string" },
  5: { name: "body", type: AnyValue },
  ...attributes(6),
  9: { name: "traceId", type: "bytes" },
  10: { name: "spanId", type: "bytes" },
  12: { name: "eventName", type: "string" },
});
const ScopeLogs = (): MessageSpec => ({
  1: { name: "scope", type: Scope },
  2: { name: "logRecords", type: LogRecord, repeated: true },
});
const ResourceLogs = (): MessageSpec => ({
  1: { name: "resource", type: Resource },
  2: { name: "scopeLogs", type: ScopeLogs, repeated: true },
});
export const ExportLogsServiceRequest: MessageSpec = {
  1: { name: "resourceLogs", type: ResourceLogs, repeated: true },
};

const times = {
  2: { name: "startTimeUnixNano", type: "fixed64" },
  3: { name: "timeUnixNano", type: "fixed64" },
} as const;
const NumberDataPoint = (): MessageSpec => ({
  ...attributes(7),
  ...times,
  4: { name: "asDouble", type: "double" },
  6: { name: "asInt", type: "sfixed64" },
});
/** A point of a distribution: its attributes, times, count and sum, and min and max at `minNo` and after. */
const distributionPoint = (attributesNo: number, minNo?: number): MessageSpec => ({
  ...attributes(attributesNo),
  ...times,
  4: { name: "count", type: "fixed64" },
  5: { name: "sum", type: "double" },
  ...(minNo === undefined
    ? {}
    : { [minNo]: { name: "min", type: "double" }, [minNo + 1]: { name: "max", type: "double" } }),
});
const HistogramDataPoint = () => distributionPoint(9, 11);
const ExponentialHistogramDataPoint = () => distributionPoint(1, 12);
const SummaryDataPoint = () => distributionPoint(7);
/** Gauge, Sum, Histogram, ExponentialHistogram, Summary: points, and (not in all) temporality. */
const points =
  (point: () => MessageSpec): (() => MessageSpec) =>
  () => ({
    1: { name: "dataPoints", type: point, repeated: true },
    2: { name: "aggregationTemporality", type: "int32" },
    3: { name: "isMonotonic", type: "bool" },
  });
const Metric = (): MessageSpec => ({
  1: { name: "name", type: "string" },
  2: { name: "description", type: "string" },
  3: { name: "unit", type: "string" },
  5: { name: "gauge", type: points(NumberDataPoint) },
  7: { name: "sum", type: points(NumberDataPoint) },
  9: { name: "histogram", type: points(HistogramDataPoint) },
  10: { name: "exponentialHistogram", type: points(ExponentialHistogramDataPoint) },
  11: { name: "summary", type: points(SummaryDataPoint) },
});
const ScopeMetrics = (): MessageSpec => ({
  1: { name: "scope", type: Scope },
  2: { name: "metrics", type: Metric, repeated: true },
});
const ResourceMetrics = (): MessageSpec => ({
  1: { name: "resource", type: Resource },
  2: { name: "scopeMetrics", type: ScopeMetrics, repeated: true },
});
export const ExportMetricsServiceRequest: MessageSpec = {
  1: { name: "resourceMetrics", type: ResourceMetrics, repeated: true },
};
