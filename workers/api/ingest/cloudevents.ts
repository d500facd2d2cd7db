import type { Context } from "hono";
import type { Business } from "../../../schema/contracts/businesses";
import { keyReused, noneAccepted, sortEvents, store } from "../../ingest/accept";
import type { RawEvent } from "../../ingest/body";
import { readBody } from "../../ingest/body";
import { MAX_EVENTS_PER_REQUEST, MAX_IDEMPOTENCY_KEY_LENGTH } from "../../ingest/limits";
import { sha256Hex } from "../../lib/crypto";
import { badRequest, ProblemError, payloadTooLarge } from "../../lib/errors";
import type { AppEnv } from "../context";
import { authorizeSource } from "./source";

const STRUCTURED = "application/cloudevents+json";
const BATCH = "application/cloudevents-batch+json";
/** Context attributes that land in a declared field of the same name (docs/integrations.md#cloudevents). */
const COPIED = ["type", "source", "subject"] as const;

type Attributes = Record<string, unknown>;

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const isJson = (media: string) => media === "application/json" || media.endsWith("+json");

/** One CloudEvent (its attributes and data) → the flat event the business validates. */
export function toEvent(ce: unknown, business: Business): RawEvent {
  if (typeof ce !== "object" || ce === null || Array.isArray(ce))
    return { ok: false, message: "a CloudEvent is a JSON object" };
  const attrs = ce as Attributes;
  if (attrs.specversion !== "1.0")
    return { ok: false, path: "specversion", message: 'must be "1.0"' };
  for (const name of ["id", "source", "type"]) {
    const v = attrs[name];
    if (typeof v !== "string" || v === "")
      return { ok: false, path: name, message: "is a required CloudEvents attribute" };
  }
  if ("data_base64" in attrs)
    return {
      ok: false,
      path: "data_base64",
      message: "binary data is not an event: send JSON data",
    };
  const media = typeof attrs.datacontenttype === "string" ? mediaType(attrs.datacontenttype) : "";
  if (media !== "" && !isJson(media))
    return { ok: false, path: "datacontenttype", message: "must be JSON (application/json)" };
  const data = attrs.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return { ok: false, path: "data", message: "must be a JSON object keyed by field names" };
  const event: Record<string, unknown> = { ...data };
  const declared = new Set(business.fields.map((f) => f.name));
  for (const name of COPIED) {
    if (declared.has(name) && !(name in event) && typeof attrs[name] === "string")
      event[name] = attrs[name];
  }
  if (!(business.timeField in event) && typeof attrs.time === "string")
    event[business.timeField] = attrs.time;
  return { ok: true, value: event };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`The body is not valid JSON (${what}).`, [
      { path: "(body)", message: "is not valid JSON" },
    ]);
  }
}

/** Header values are percent-encoded where they need it (CloudEvents HTTP binding 3.1.3.2). */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Binary mode: attributes in `ce-` headers, the body is the data. */
function fromHeaders(headers: Headers, text: string, media: string): Attributes {
  const attrs: Attributes = {};
  headers.forEach((value, name) => {
    if (name.startsWith("ce-")) attrs[name.slice(3)] = percentDecoded(value);
  });
  if (media !== "") attrs.datacontenttype = media;
  if (text.trim() !== "") {
    if (media !== "" && !isJson(media)) {
      throw new ProblemError(
        415,
        "Unsupported Media Type",
        "The data must be JSON (Content-Type: application/json).",
        [{ path: "content-type", message: "must be application/json" }],
      );
    }
    attrs.data = parseJson(text, "binary mode: the body is the event's data");
  }
  return attrs;
}

/**
 * POST /v1/cloudevents/{businessId}: CloudEvents 1.0 over HTTP, structured,
 * batched or binary mode. An event's `source` and `id` make it count once.
 */
export async function cloudevents(c: Context<AppEnv>): Promise<Response> {
  const receivedAt = Date.now();
  const auth = await authorizeSource(c);
  const media = mediaType(c.req.header("content-type"));
  const text = await readBody(c.req.raw);

  let items: unknown[];
  if (media === STRUCTURED) items = [parseJson(text, "structured mode")];
  else if (media === BATCH) {
    const batch = parseJson(text, "batched mode");
    if (!Array.isArray(batch))
      throw badRequest("A batch is a JSON array of CloudEvents.", [
        { path: "(body)", message: "must be an array" },
      ]);
    items = batch;
  } else if (c.req.header("ce-specversion") !== undefined) {
    items = [fromHeaders(c.req.raw.headers, text, media)];
  } else {
    throw new ProblemError(
      415,
      "Unsupported Media Type",
      `Send ${STRUCTURED}, ${BATCH}, or binary mode with ce-specversion, ce-id, ce-source and ce-type headers.`,
      [{ path: "content-type", message: `must be ${STRUCTURED} or ${BATCH}, or send ce- headers` }],
    );
  }
  if (items.length === 0) throw badRequest("The batch holds no events.");
  if (items.length > MAX_EVENTS_PER_REQUEST)
    throw payloadTooLarge(
      `${items.length} events in one batch; at most ${MAX_EVENTS_PER_REQUEST}.`,
    );

  const sorted = sortEvents(
    auth,
    items.map((ce) => toEvent(ce, auth.business)),
    receivedAt,
  );
  if (sorted.events.length === 0) throw noneAccepted(sorted.rejected);
  const outcome = await store(c.env, auth, receivedAt, sorted, {
    idempotency: await idempotencyOf(c.req.header("idempotency-key"), items, text),
  });
  if (outcome.status === "key-reused") return keyReused();
  const headers = outcome.status === "replayed" ? { "idempotent-replayed": "true" } : undefined;
  return c.json(outcome.result, 202, headers);
}

/** A request's Idempotency-Key; for one event without it, the event's own source and id. */
async function idempotencyOf(header: string | undefined, items: unknown[], text: string) {
  if (header !== undefined) {
    if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH)
      throw badRequest(`Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
    return { key: header, bodyHash: await sha256Hex(text) };
  }
  const [only] = items;
  if (items.length !== 1 || typeof only !== "object" || only === null) return undefined;
  const { source, id } = only as Attributes;
  if (typeof source !== "string" || typeof id !== "string") return undefined;
  // The same source and id is the same event (CloudEvents 1.0, "id"), whatever the body.
  const key = `ce:${await sha256Hex(`${source}\n${id}`)}`;
  return { key, bodyHash: key };
}
