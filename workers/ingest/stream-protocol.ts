import type { ProblemBody } from "../lib/errors";
import { badRequest, type ProblemError, problemBody } from "../lib/errors";
import type { Sorted } from "./accept";
import type { RawEvent } from "./body";
import { parseEvents } from "./body";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "./limits";

/**
 * The stream's wire protocol (docs/integrations.md#stream): its subprotocols,
 * limits and close codes, the frames a client sends (NDJSON, `$key` on the
 * first line) and the acks it gets back. The connection itself is
 * `StreamSession` (stream.ts).
 */

/** The subprotocol the server answers with when a client offers it. */
export const STREAM_PROTOCOL = "anom-stream";
/** Browsers cannot send headers: they offer `anom-token.<token>` as a second subprotocol. */
export const TOKEN_PROTOCOL_PREFIX = "anom-token.";
export const MAX_FRAME_BYTES = 1024 * 1024;
export const WINDOW_FRAMES = 32;
export const WINDOW_BYTES = 2 * 1024 * 1024;
/**
 * Batches per connection; after that the server closes with 1012 and the client
 * reconnects (a connection is one Worker invocation, whose subrequests are limited).
 */
export const MAX_BATCHES_PER_CONNECTION = 900;
/** Close code asking the client to reconnect (and resend what is unacknowledged). */
export const CLOSE_RECONNECT = 1012;
/** Close code when the token stopped being valid or the business is gone. */
export const CLOSE_POLICY = 1008;
/** The member of a frame's first line that carries its idempotency key. */
export const KEY_MEMBER = "$key";

export type Ack = { ack: number; key: string | null } & (
  | { status: 202; accepted: number; rejected: Sorted["rejected"] }
  | ProblemBody
);

export interface StreamHello {
  ready: {
    window: number;
    windowBytes: number;
    maxFrameBytes: number;
    maxEventsPerFrame: number;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Splits a frame into its key and its events; a first line holding only `$key` is a header. */
export function parseFrame(text: string): { key: string | null; raw: RawEvent[] } {
  const raw = parseEvents(text, true);
  const first = raw[0];
  let key: string | null = null;
  if (first?.ok && isObject(first.value) && KEY_MEMBER in first.value) {
    const { [KEY_MEMBER]: value, ...rest } = first.value;
    if (
      typeof value !== "string" ||
      value.length === 0 ||
      value.length > MAX_IDEMPOTENCY_KEY_LENGTH
    )
      throw badRequest(
        `${KEY_MEMBER} must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
        [
          {
            path: KEY_MEMBER,
            message: `must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
          },
        ],
      );
    key = value;
    if (Object.keys(rest).length === 0) raw.shift();
    else raw[0] = { ok: true, value: rest };
  }
  if (raw.length === 0) throw new FrameError(key, badRequest("The frame holds no events."));
  for (let i = 1; i < raw.length; i++) {
    const item = raw[i];
    if (item?.ok && isObject(item.value) && KEY_MEMBER in item.value)
      raw[i] = { ok: false, path: KEY_MEMBER, message: "belongs on the frame's first line only" };
  }
  return { key, raw };
}

/** A frame refused whole, with the key it named (when it got that far). */
export class FrameError extends Error {
  constructor(
    readonly key: string | null,
    readonly problem: ProblemError,
  ) {
    super(problem.message);
  }
}

export function problemOf(error: ProblemError): ProblemBody {
  return problemBody(error.status, error.title, error.message, error.errors, error.extra);
}
