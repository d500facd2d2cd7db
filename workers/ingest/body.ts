import { badRequest, payloadTooLarge } from "../lib/errors";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from "./limits";

/** Reads a byte stream, refusing it as soon as it passes `limit` bytes. */
export async function readBytes(
  stream: ReadableStream<Uint8Array> | null,
  limit = MAX_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Strict UTF-8 (a whole-body decode keeps no state between calls, so one decoder serves all). */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Reads the body as UTF-8 text, refusing it as soon as it passes the limit. */
export async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  // A declared length bounds the body (the runtime refuses a body longer than it): one read.
  const bytes =
    request.body && request.headers.has("content-length")
      ? new Uint8Array(await request.arrayBuffer())
      : await readBytes(request.body);
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest("The body is not valid UTF-8 text.");
  }
}

function tooLarge() {
  return payloadTooLarge(
    `The body is larger than ${MAX_BODY_BYTES} bytes; split it into several requests.`,
  );
}

/** A parsed item, or the reason its NDJSON line could not be parsed. */
export type RawEvent =
  | { ok: true; value: unknown }
  | { ok: false; message: string; path?: string | undefined };

export function isNdjson(contentType: string | undefined): boolean {
  return /\b(x-)?ndjson\b|\bjsonl\b|\bjson-seq\b/i.test(contentType ?? "");
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Syntax errors, and RangeError for absurdly deep nesting.
    return { ok: false };
  }
}

/** One event, a JSON array of events, or NDJSON (one event a line). */
export function parseEvents(text: string, ndjson: boolean): RawEvent[] {
  let events: RawEvent[];
  if (ndjson) {
    events = [];
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const parsed = parseJson(line);
      events.push(parsed.ok ? parsed : { ok: false, message: `line ${i + 1} is not valid JSON` });
    });
    if (events.length > 0 && events.every((e) => !e.ok)) {
      throw badRequest("The body is not NDJSON: no line is valid JSON.");
    }
  } else {
    const parsed = parseJson(text);
    if (!parsed.ok)
      throw badRequest(
        "The body is not valid JSON (send NDJSON with Content-Type: application/x-ndjson).",
      );
    const items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    events = items.map((value) => ({ ok: true, value }));
  }
  if (events.length === 0) throw badRequest("The body holds no events.");
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw payloadTooLarge(
      `${events.length} events in one request; at most ${MAX_EVENTS_PER_REQUEST} are allowed.`,
    );
  }
  return events;
}
