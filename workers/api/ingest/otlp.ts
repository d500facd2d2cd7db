import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { Context } from "hono";
import type { Counter } from "../../business/counters";
import { sortEvents, store } from "../../ingest/accept";
import { readBytes } from "../../ingest/body";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from "../../ingest/limits";
import { DecodeError, decode } from "../../ingest/otlp/decode";
import type { Item } from "../../ingest/otlp/map";
import { mapLogs, mapMetrics } from "../../ingest/otlp/map";
import { ExportLogsServiceRequest, ExportMetricsServiceRequest } from "../../ingest/otlp/messages";
import { ProblemError } from "../../lib/errors";
import type { AppEnv } from "../context";
import { authorizeSource } from "./source";

type Signal = "logs" | "metrics";
type Encoding = "json" | "protobuf";

const signals = {
  logs: {
    spec: ExportLogsServiceRequest,
    map: mapLogs,
    rejected: "rejectedLogRecords",
    what: "log records",
  },
  metrics: {
    spec: ExportMetricsServiceRequest,
    map: mapMetrics,
    rejected: "rejectedDataPoints",
    what: "data points",
  },
} as const;

/** google.rpc.Code values OTLP answers with. */
const rpcCode: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3 };

/** An OTLP error answer: a google.rpc.Status in the request's encoding (OTLP/HTTP "Failures"). */
function status(httpStatus: number, message: string, encoding: Encoding): Response {
  const code = rpcCode[httpStatus] ?? 2;
  if (encoding === "json") {
    return Response.json({ code, message }, { status: httpStatus });
  }
  const body = new BinaryWriter().uint32(8).int32(code).uint32(18).string(message).finish();
  return new Response(body, {
    status: httpStatus,
    headers: { "content-type": "application/x-protobuf" },
  });
}

/** ExportLogsServiceResponse / ExportMetricsServiceResponse, with partial_success when any was rejected. */
function success(signal: Signal, rejected: number, message: string, encoding: Encoding) {
  if (encoding === "json") {
    const body =
      rejected === 0
        ? {}
        : {
            partialSuccess: { [signals[signal].rejected]: String(rejected), errorMessage: message },
          };
    return Response.json(body, { status: 200 });
  }
  const writer = new BinaryWriter();
  if (rejected > 0) {
    writer.uint32(10).fork().uint32(8).int64(rejected).uint32(18).string(message).join();
  }
  return new Response(writer.finish(), {
    status: 200,
    headers: { "content-type": "application/x-protobuf" },
  });
}

function encodingOf(contentType: string | undefined): Encoding | null {
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (media === "application/json") return "json";
  if (media === "application/x-protobuf" || media === "application/protobuf") return "protobuf";
  return null;
}

async function body(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES)
    throw new ProblemError(
      413,
      "Payload Too Large",
      `The body is larger than ${MAX_BODY_BYTES} bytes.`,
    );
  const encoding = (request.headers.get("content-encoding") ?? "identity").toLowerCase();
  if (encoding === "identity" || encoding === "") return readBytes(request.body);
  if (encoding !== "gzip")
    throw new ProblemError(
      415,
      "Unsupported Media Type",
      `Content-Encoding ${encoding} is not supported; send gzip or none.`,
    );
  // The limit holds for the decompressed body too.
  const compressed = await readBytes(request.body);
  const inflated = new Blob([compressed]).stream().pipeThrough(new DecompressionStream("gzip"));
  try {
    return await readBytes(inflated);
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    throw new ProblemError(400, "Bad Request", "The body is not valid gzip.");
  }
}

function parse(bytes: Uint8Array, signal: Signal, encoding: Encoding): unknown {
  if (encoding === "protobuf") return decode(bytes, signals[signal].spec);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new DecodeError("the body is not valid JSON");
  }
}

/**
 * POST /v1/otlp/{businessId}/v1/logs|metrics: OTLP/HTTP, JSON or protobuf.
 * Records the business's fields do not fit are answered the OTLP way: 200 with
 * partial_success counting them and naming the first problems.
 */
export function otlp(signal: Signal) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const encoding = encodingOf(c.req.header("content-type"));
    try {
      if (!encoding) {
        throw new ProblemError(
          415,
          "Unsupported Media Type",
          "Send application/json or application/x-protobuf.",
        );
      }
      const receivedAt = Date.now();
      const auth = await authorizeSource(c);
      const request = parse(await body(c.req.raw), signal, encoding);
      const items = signals[signal].map(request, auth.business);
      if (items.length > MAX_EVENTS_PER_REQUEST) {
        throw new ProblemError(
          413,
          "Payload Too Large",
          `${items.length} ${signals[signal].what} in one request; at most ${MAX_EVENTS_PER_REQUEST}.`,
        );
      }
      const sorted = sortEvents(
        auth,
        items.map((i) => i.raw),
        receivedAt,
      );
      const message = problems(items, sorted.rejected, signal);
      if (sorted.events.length > 0) {
        await store(c.env, auth, receivedAt, sorted, {
          counters: counters(items, sorted.rejected),
        });
      }
      return success(signal, sorted.rejected.length, message, encoding);
    } catch (error) {
      if (error instanceof DecodeError)
        return status(
          400,
          `The body is not an OTLP ${signal} request: ${error.message}.`,
          encoding ?? "json",
        );
      if (error instanceof ProblemError)
        return status(error.status, error.message, encoding ?? "json");
      throw error;
    }
  };
}

/** The cumulative series among the accepted events, by their position among them. */
function counters(items: Item[], rejected: { index: number }[]): Counter[] {
  const out = new Set(rejected.map((r) => r.index));
  const result: Counter[] = [];
  let position = 0;
  items.forEach((item, i) => {
    if (out.has(i)) return;
    if (item.counter) result.push({ ...item.counter, index: position });
    position += 1;
  });
  return result;
}

/** OTLP's error_message: how many were rejected, and the first problems, each naming its field. */
function problems(
  items: Item[],
  rejected: { index: number; errors: { path: string; message: string }[] }[],
  signal: Signal,
) {
  if (rejected.length === 0) return "";
  const shown = rejected.slice(0, 5).map((r) => {
    const e = r.errors[0];
    return `${items[r.index]?.path}.${e?.path}: ${e?.message}`;
  });
  const more = rejected.length > shown.length ? `; and ${rejected.length - shown.length} more` : "";
  return `${rejected.length} of ${items.length} ${signals[signal].what} rejected: ${shown.join("; ")}${more}`;
}
