import type { Business, Field } from "../../schema/contracts/businesses";

/** Where snippets send to when the UI is not told the API's public URL (API_URL): the local stack. */
export const DEFAULT_API_URL = "http://127.0.0.1:8787";

/** A plausible value of a field, for an example event. */
function sample(field: Field, now: Date): string | number | boolean {
  switch (field.type) {
    case "string":
      return field.name === "slug" ? "backup" : `example-${field.name}`;
    case "number":
      return 42.5;
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "timestamp":
      return now.toISOString();
    case "enum":
      return field.values?.[0] ?? "";
  }
}

export function exampleEvent(business: Business, now = new Date()) {
  return Object.fromEntries(business.fields.map((f) => [f.name, sample(f, now)]));
}

export interface Snippet {
  id: string;
  title: string;
  text: string;
  note: string;
}

/** One ready-to-paste snippet per way in, with the real URL and (when known) the token. */
export function snippets(business: Business, apiUrl: string, token: string): Snippet[] {
  const base = apiUrl.replace(/\/+$/, "");
  const event = JSON.stringify(exampleEvent(business));
  const { timeField } = business;
  const data = Object.fromEntries(
    Object.entries(exampleEvent(business)).filter(([k]) => k !== timeField),
  );
  const cloudEvent = JSON.stringify({
    specversion: "1.0",
    id: "1",
    source: "/my/app",
    type: "com.example.event",
    time: new Date().toISOString(),
    data,
  });
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return [
    {
      id: "curl",
      title: "HTTP (curl)",
      note: "One event, a JSON array, or NDJSON with Content-Type: application/x-ndjson.",
      text: `curl -sS ${base}/v1/ingest/${business.id} \\\n  -H 'Authorization: Bearer ${token}' \\\n  -H 'Content-Type: application/json' \\\n  -d ${quote(event)}`,
    },
    {
      id: "otel",
      title: "OpenTelemetry (OTLP)",
      note: "For any OpenTelemetry SDK or Collector: log records and metric points become events.",
      text: [
        `export OTEL_EXPORTER_OTLP_ENDPOINT=${base}/v1/otlp/${business.id}`,
        `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer%20${token}"`,
        "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
        "export OTEL_LOGS_EXPORTER=otlp OTEL_METRICS_EXPORTER=otlp OTEL_TRACES_EXPORTER=none",
      ].join("\n"),
    },
    {
      id: "cron",
      title: "Cron job (heartbeat pings)",
      note: "Healthchecks-compatible: /start, /fail, /<exit code> and /log work too. Best with the job-monitoring template's fields.",
      text: `0 3 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null ${base}/ping/${token}/backup`,
    },
    {
      id: "cloudevents",
      title: "CloudEvents",
      note: "Structured mode; binary mode (ce- headers) and batches work too. data holds the fields.",
      text: `curl -sS ${base}/v1/cloudevents/${business.id} \\\n  -H 'Authorization: Bearer ${token}' \\\n  -H 'Content-Type: application/cloudevents+json' \\\n  -d ${quote(cloudEvent)}`,
    },
    {
      id: "stream",
      title: "Stream (WebSocket)",
      note: "For devices that keep a connection open: each line is a frame (NDJSON) and gets an ack; a $key makes a resent frame count once. Browsers offer the subprotocols anom-stream and anom-token.<token> instead of the header.",
      text: `websocat -H 'Authorization: Bearer ${token}' ${base.replace(/^http/, "ws")}/v1/stream/${business.id}\n${JSON.stringify({ $key: "device-1", ...exampleEvent(business) })}`,
    },
  ];
}
