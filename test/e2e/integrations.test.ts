import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { LogRecordExporter } from "@opentelemetry/sdk-logs";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { CloudEvent, emitterFor, httpTransport, Mode } from "cloudevents";
import { describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { e2eStack } from "../support/stack";

const stack = e2eStack();
const { admin } = stack;
const api = () => client(stack.api, admin);

type Data = Record<string, unknown>;
async function events(businessId: string): Promise<Data[]> {
  const page = await api().json("GET", `/v1/businesses/${businessId}/events?limit=1000`);
  return page.items.reverse().map((e: { data: Data }) => e.data);
}

async function business(fields: { name: string; type: string; required?: boolean }[]) {
  const created = await api().json("POST", "/v1/businesses", { name: "e2e integrations", fields });
  const { token } = await api().json("POST", `/v1/businesses/${created.id}/sources`, {
    name: "e2e",
  });
  return { id: created.id as string, token: token as string };
}

/**
 * The exporter as users configure it: the standard environment variables, the
 * base URL `…/v1/otlp/{businessId}` and the source token as a header.
 */
function withOtelEnv<T>(base: string, token: string, protocol: string, make: () => T): T {
  const vars = {
    OTEL_EXPORTER_OTLP_ENDPOINT: base,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${token}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  };
  Object.assign(process.env, vars);
  try {
    return make();
  } finally {
    for (const k of Object.keys(vars)) delete process.env[k];
  }
}

describe("the ways in, on the real local stack", () => {
  it("takes logs from the OpenTelemetry SDK's OTLP exporters, JSON and protobuf", async () => {
    const { id, token } = await business([
      { name: "timestamp", type: "timestamp" },
      { name: "service_name", type: "string" },
      { name: "severity", type: "string" },
      { name: "body", type: "string" },
      { name: "orderId", type: "string", required: true },
    ]);
    const base = `${stack.api}/v1/otlp/${id}`;
    const exporters: [string, LogRecordExporter][] = [
      ["http/json", withOtelEnv(base, token, "http/json", () => new JsonLogExporter())],
      ["http/protobuf", withOtelEnv(base, token, "http/protobuf", () => new ProtoLogExporter())],
    ];
    for (const [protocol, exporter] of exporters) {
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ "service.name": "checkout" }),
        processors: [new BatchLogRecordProcessor({ exporter })],
      });
      const logger = provider.getLogger("shop");
      logger.emit({
        severityText: "INFO",
        body: `placed via ${protocol}`,
        attributes: { orderId: protocol },
      });
      // Not a field of the business: rejected, counted in partial success, the rest stored.
      logger.emit({ body: "stray", attributes: { orderId: "x", colour: "red" } });
      await provider.shutdown();
    }
    expect(await events(id)).toEqual([
      expect.objectContaining({
        service_name: "checkout",
        severity: "INFO",
        body: "placed via http/json",
        orderId: "http/json",
      }),
      expect.objectContaining({
        service_name: "checkout",
        severity: "INFO",
        body: "placed via http/protobuf",
        orderId: "http/protobuf",
      }),
    ]);
  });

  it("takes metrics from the OpenTelemetry SDK's OTLP exporters: counters as deltas, histograms", async () => {
    const { id, token } = await business([
      { name: "timestamp", type: "timestamp" },
      { name: "metric", type: "string" },
      { name: "service_name", type: "string" },
      { name: "queue", type: "string" },
      { name: "orders", type: "number" },
      { name: "latency_count", type: "number" },
      { name: "latency_sum", type: "number" },
      { name: "latency_min", type: "number" },
      { name: "latency_max", type: "number" },
    ]);
    const base = `${stack.api}/v1/otlp/${id}`;
    const exporters: PushMetricExporter[] = [
      withOtelEnv(base, token, "http/json", () => new JsonMetricExporter()),
      withOtelEnv(base, token, "http/protobuf", () => new ProtoMetricExporter()),
    ];
    for (const [i, exporter] of exporters.entries()) {
      const reader = new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: 3_600_000,
      });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ "service.name": `checkout-${i}` }),
        readers: [reader],
      });
      const meter = provider.getMeter("shop");
      const orders = meter.createCounter("orders");
      const latency = meter.createHistogram("latency");
      orders.add(3, { queue: "main" });
      latency.record(100);
      await reader.forceFlush();
      orders.add(2, { queue: "main" });
      latency.record(300);
      await reader.forceFlush();
      await provider.shutdown();
    }
    const data = await events(id);
    for (const i of exporters.keys()) {
      const mine = data.filter((d) => d.service_name === `checkout-${i}`);
      // Exported three times (two flushes, then shutdown) with cumulative totals 3, 5, 5:
      // stored as 3, 2, 0. The histogram likewise, one point at a time.
      expect(mine.filter((d) => d.metric === "orders").map((d) => d.orders)).toEqual([3, 2, 0]);
      expect(
        mine.filter((d) => d.metric === "latency").map((d) => [d.latency_count, d.latency_sum]),
      ).toEqual([
        [1, 100],
        [1, 300],
        [0, 0],
      ]);
    }
  });

  it("takes heartbeat pings on Healthchecks' URLs and CloudEvents from the SDK's HTTP transport", async () => {
    const jobs = await api().json("POST", "/v1/templates/jobs/businesses", { name: "e2e jobs" });
    const { token } = await api().json("POST", `/v1/businesses/${jobs.business.id}/sources`, {
      name: "cron",
    });
    // What `curl -fsS -m 10 --retry 5 -o /dev/null <base>/<slug>/start` sends.
    const start = await fetch(`${stack.api}/ping/${token}/backup/start`);
    expect([start.status, await start.text()]).toEqual([200, "OK"]);
    const end = await fetch(`${stack.api}/ping/${token}/backup/0`, {
      method: "POST",
      body: "done",
    });
    expect([end.status, await end.text()]).toEqual([200, "OK"]);
    const pings = await events(jobs.business.id);
    expect(pings).toEqual([
      { slug: "backup", kind: "start" },
      { slug: "backup", kind: "success", exitCode: 0, log: "done", durationMs: expect.any(Number) },
    ]);

    const shop = await business([
      { name: "timestamp", type: "timestamp" },
      { name: "type", type: "string" },
      { name: "amount", type: "number", required: true },
    ]);
    for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
      const emit = emitterFor(httpTransport(`${stack.api}/v1/cloudevents/${shop.id}`), { mode });
      const sent = await emit(
        new CloudEvent({
          type: "com.example.sale",
          source: "/till/1",
          data: { amount: mode === Mode.BINARY ? 1 : 2 },
        }),
        { headers: { authorization: `Bearer ${shop.token}` } },
      );
      expect(JSON.parse(String((sent as { body: string }).body))).toEqual({
        accepted: 1,
        rejected: [],
      });
    }
    expect(await events(shop.id)).toEqual([
      expect.objectContaining({ type: "com.example.sale", amount: 1 }),
      expect.objectContaining({ type: "com.example.sale", amount: 2 }),
    ]);
  });
});
