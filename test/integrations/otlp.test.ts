import { SELF } from "cloudflare:test";
import {
  JsonMetricsSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
} from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { businessWithSource, createBusiness, createSource, listEvents } from "../helpers";

/** A business that takes service logs: declared resource field, record attributes, severity. */
async function logsBusiness() {
  const business = await createBusiness({
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "service_name", type: "string" },
      { name: "severity", type: "string" },
      { name: "body", type: "string" },
      { name: "orderId", type: "string", required: true },
      { name: "amount", type: "number" },
    ],
  });
  const { token } = await createSource(business.id, "otel");
  return { id: business.id, token };
}

async function metricsBusiness() {
  const business = await createBusiness({
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "metric", type: "string" },
      { name: "queue", type: "string" },
      { name: "orders", type: "number" },
      { name: "queue_depth", type: "number" },
      { name: "latency_count", type: "number" },
      { name: "latency_sum", type: "number" },
      { name: "latency_min", type: "number" },
      { name: "latency_max", type: "number" },
    ],
  });
  const { token } = await createSource(business.id, "otel");
  return { id: business.id, token };
}

async function post(
  businessId: string,
  token: string,
  signal: "logs" | "metrics",
  body: BodyInit,
  contentType = "application/json",
  headers: Record<string, string> = {},
) {
  const res = await SELF.fetch(`http://anom.test/v1/otlp/${businessId}/v1/${signal}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType, ...headers },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    type,
    bytes,
    json: type.startsWith("application/json") ? JSON.parse(new TextDecoder().decode(bytes)) : null,
  };
}

const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });

function logsRequest(records: Record<string, unknown>[]) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: {
          attributes: [
            kv("service.name", { stringValue: "checkout" }),
            kv("telemetry.sdk.language", { stringValue: "nodejs" }),
          ],
        },
        scopeLogs: [{ scope: { name: "shop" }, logRecords: records }],
      },
    ],
  });
}

describe("OTLP/HTTP logs", () => {
  it("maps resource, record attributes, severity, body and time, keeping undeclared resource attributes out", async () => {
    const { id, token } = await logsBusiness();
    const at = Date.now() - 30_000;
    const res = await post(
      id,
      token,
      "logs",
      logsRequest([
        {
          timeUnixNano: nanos(at),
          severityText: "INFO",
          severityNumber: 9,
          body: { stringValue: "order placed" },
          attributes: [kv("orderId", { stringValue: "o-1" }), kv("amount", { doubleValue: 12.5 })],
        },
        {
          observedTimeUnixNano: nanos(at + 1),
          body: {
            kvlistValue: {
              values: [kv("orderId", { stringValue: "o-2" }), kv("amount", { intValue: "7" })],
            },
          },
        },
      ]),
    );
    expect(res).toMatchObject({ status: 200, json: {} });
    const events = (await listEvents(id)).items.reverse();
    expect(events.map((e) => [e.time, e.data])).toEqual([
      [
        new Date(at).toISOString(),
        {
          service_name: "checkout",
          severity: "INFO",
          body: "order placed",
          orderId: "o-1",
          amount: 12.5,
          timestamp: at,
        },
      ],
      [
        new Date(at + 1).toISOString(),
        { service_name: "checkout", orderId: "o-2", amount: 7, timestamp: at + 1 },
      ],
    ]);
  });

  it("answers partial success naming the field of each rejected record", async () => {
    const { id, token } = await logsBusiness();
    const res = await post(
      id,
      token,
      "logs",
      logsRequest([
        { attributes: [kv("orderId", { stringValue: "ok" })] },
        { attributes: [kv("amount", { doubleValue: 1 })] },
        { attributes: [kv("orderId", { stringValue: "x" }), kv("colour", { stringValue: "red" })] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      partialSuccess: {
        rejectedLogRecords: "2",
        errorMessage:
          "2 of 3 log records rejected: resourceLogs.0.scopeLogs.0.logRecords.1.orderId: is required; resourceLogs.0.scopeLogs.0.logRecords.2.colour: is not a field of this business",
      },
    });
    expect((await listEvents(id)).items).toHaveLength(1);
  });

  it("decodes protobuf from the OpenTelemetry SDK's own serializer, gzip too", async () => {
    const { id, token } = await logsBusiness();
    // The SDK's records as its processors see them (ReadableLogRecord).
    const records: ReadableLogRecord[] = [];
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ "service.name": "checkout", "host.name": "h1" }),
      processors: [
        {
          onEmit: (record) => void records.push(record),
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const logger = provider.getLogger("shop");
    logger.emit({
      severityText: "WARN",
      body: "slow payment",
      attributes: { orderId: "p-1", amount: 99 },
    });
    logger.emit({ body: "refund", attributes: { orderId: "p-2", amount: -5 } });
    expect(records).toHaveLength(2);
    const bytes = ProtobufLogsSerializer.serializeRequest(records);
    expect(bytes).toBeDefined();
    const plain = await post(id, token, "logs", bytes as Uint8Array, "application/x-protobuf");
    expect(plain.status).toBe(200);
    expect(plain.type).toBe("application/x-protobuf");
    expect(plain.bytes).toHaveLength(0);
    const gzipped = await new Response(
      new Blob([bytes as Uint8Array]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    const zipped = await post(id, token, "logs", gzipped, "application/x-protobuf", {
      "content-encoding": "gzip",
    });
    expect(zipped.status).toBe(200);
    const data = (await listEvents(id)).items.map((e) => e.data);
    expect(data).toHaveLength(4);
    expect(data).toContainEqual(
      expect.objectContaining({
        service_name: "checkout",
        severity: "WARN",
        body: "slow payment",
        orderId: "p-1",
        amount: 99,
      }),
    );
    expect(data.filter((d) => d.orderId === "p-2")).toHaveLength(2);
  });

  it("answers OTLP failures as a google.rpc.Status: bad bodies, tokens, content types", async () => {
    const { id, token } = await logsBusiness();
    const garbage = await post(
      id,
      token,
      "logs",
      new Uint8Array([0x0a, 0xff, 0xff]),
      "application/x-protobuf",
    );
    expect(garbage.status).toBe(400);
    expect(garbage.type).toBe("application/x-protobuf");
    const broken = await post(id, token, "logs", "{", "application/json");
    expect(broken).toMatchObject({ status: 400, json: { code: 3 } });
    expect(broken.json.message).toMatch(/not valid JSON/);
    const xml = await post(id, token, "logs", "<a/>", "application/xml");
    expect(xml).toMatchObject({ status: 415 });
    const other = await businessWithSource();
    const wrong = await post(id, other.token, "logs", logsRequest([]));
    expect(wrong).toMatchObject({ status: 403, json: { code: 7 } });
    const none = await post(id, "nope", "logs", logsRequest([]));
    expect(none).toMatchObject({ status: 401, json: { code: 16 } });
    expect((await listEvents(id)).items).toEqual([]);
  });
});

function metricsRequest(metrics: Record<string, unknown>[]) {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [kv("service.name", { stringValue: "checkout" })] },
        scopeMetrics: [{ scope: { name: "shop" }, metrics }],
      },
    ],
  });
}

describe("OTLP/HTTP metrics", () => {
  it("stores gauges as values, cumulative sums as deltas per series, delta sums as they are", async () => {
    const { id, token } = await metricsBusiness();
    const start = Date.now() - 120_000;
    const sum = (value: number, at: number, temporality: number, queue = "main") => ({
      name: "orders",
      sum: {
        aggregationTemporality: temporality,
        isMonotonic: true,
        dataPoints: [
          {
            attributes: [kv("queue", { stringValue: queue })],
            startTimeUnixNano: nanos(start),
            timeUnixNano: nanos(at),
            asInt: String(value),
          },
        ],
      },
    });
    const gauge = {
      name: "queue.depth",
      gauge: { dataPoints: [{ timeUnixNano: nanos(start + 1000), asDouble: 4 }] },
    };
    expect(
      (await post(id, token, "metrics", metricsRequest([gauge, sum(10, start + 60_000, 2)]))).json,
    ).toEqual({});
    await post(
      id,
      token,
      "metrics",
      metricsRequest([sum(25, start + 70_000, 2), sum(3, start + 70_000, 2, "bulk")]),
    );
    await post(id, token, "metrics", metricsRequest([sum(5, start + 80_000, 1)]));
    const data = (await listEvents(id)).items.reverse().map((e) => e.data);
    expect(data).toEqual([
      { metric: "queue.depth", queue_depth: 4, timestamp: start + 1000 },
      { metric: "orders", queue: "main", orders: 10, timestamp: start + 60_000 },
      { metric: "orders", queue: "main", orders: 15, timestamp: start + 70_000 },
      { metric: "orders", queue: "bulk", orders: 3, timestamp: start + 70_000 },
      { metric: "orders", queue: "main", orders: 5, timestamp: start + 80_000 },
    ]);
  });

  it("stores histograms as count, sum, min and max, from the SDK's protobuf, as deltas", async () => {
    const { id, token } = await metricsBusiness();
    class Reader extends MetricReader {
      protected async onForceFlush() {}
      protected async onShutdown() {}
    }
    const reader = new Reader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "checkout" }),
      readers: [reader],
    });
    const latency = provider.getMeter("shop").createHistogram("latency");
    latency.record(120);
    latency.record(80);
    const first = await reader.collect();
    await post(
      id,
      token,
      "metrics",
      ProtobufMetricsSerializer.serializeRequest(first.resourceMetrics) as Uint8Array,
      "application/x-protobuf",
    );
    latency.record(300);
    const second = await reader.collect();
    // The same series, in JSON this time.
    await post(
      id,
      token,
      "metrics",
      new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(second.resourceMetrics)),
    );
    const data = (await listEvents(id)).items.reverse().map((e) => e.data);
    expect(data).toEqual([
      expect.objectContaining({
        metric: "latency",
        latency_count: 2,
        latency_sum: 200,
        latency_min: 80,
        latency_max: 120,
      }),
      // Cumulative totals 3 and 500: the second export added one point of 300.
      expect.objectContaining({
        metric: "latency",
        latency_count: 1,
        latency_sum: 300,
        latency_min: 80,
        latency_max: 300,
      }),
    ]);
  });

  it("keeps each business's series to itself", async () => {
    const a = await metricsBusiness();
    const b = await metricsBusiness();
    const total = (v: number) =>
      metricsRequest([
        {
          name: "orders",
          sum: {
            aggregationTemporality: 2,
            dataPoints: [
              { startTimeUnixNano: nanos(1), timeUnixNano: nanos(Date.now()), asInt: String(v) },
            ],
          },
        },
      ]);
    await post(a.id, a.token, "metrics", total(10));
    await post(b.id, b.token, "metrics", total(12));
    expect((await listEvents(b.id)).items[0]?.data.orders).toBe(12);
    expect((await listEvents(a.id)).items.map((e) => e.data.orders)).toEqual([10]);
  });
});
