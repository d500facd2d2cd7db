import type { CoalescedMessage } from "../business/rpc";
import { sha256Hex } from "../lib/crypto";
import type { ProblemBody } from "../lib/errors";
import { ProblemError, payloadTooLarge, problemBody } from "../lib/errors";
import { noneAccepted, sortEvents, storeMany, toMessage } from "./accept";
import type { IngestAuth } from "./auth";
import type { RawEvent } from "./body";
import { MAX_EVENTS_PER_REQUEST } from "./limits";
import {
  type Ack,
  CLOSE_POLICY,
  CLOSE_RECONNECT,
  FrameError,
  MAX_BATCHES_PER_CONNECTION,
  MAX_FRAME_BYTES,
  parseFrame,
  problemOf,
  type StreamHello,
  WINDOW_BYTES,
  WINDOW_FRAMES,
} from "./stream-protocol";

/**
 * The stream: a WebSocket a device keeps open (docs/integrations.md#stream).
 * Each text frame is NDJSON; each frame gets one ack with the shape a
 * `POST /v1/ingest` answer has (202 `{accepted, rejected}` or problem details).
 *
 * Backpressure: at most `WINDOW_FRAMES` frames (and `WINDOW_BYTES`) are in
 * flight per connection, i.e. received and not yet acknowledged. A frame past
 * the window is not kept: it is answered at once with a 429 ack, and the client
 * resends it after an ack frees room. Nothing is buffered beyond the window.
 *
 * Batching: one batch at a time goes to the business's Durable Object; the
 * frames that arrive meanwhile wait and go together in the next call, so a busy
 * connection makes one call per batch, not per frame.
 *
 * Resume: a frame's `$key` (on its first line) and its text name it; the object
 * stores each name once (`coalesced` table), so frames resent after a reconnect
 * are acknowledged and not stored again.
 */

const encoder = new TextEncoder();

interface Frame {
  seq: number;
  key: string | null;
  raw: RawEvent[];
  text: string;
  bytes: number;
  receivedAt: number;
}

export interface StreamOptions {
  env: Env;
  /** Checks the token again (per batch): a revoked token or a deleted business ends the stream. */
  authorize: () => Promise<IngestAuth>;
  /** Batches before the server asks the client to reconnect; MAX_BATCHES_PER_CONNECTION. */
  maxBatches?: number;
}

/** One connection's state: the frames in flight and the batch being stored. */
export class StreamSession {
  private seq = 0;
  private readonly waiting: Frame[] = [];
  private storing: Frame[] = [];
  private pumping = false;
  private batches = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: StreamOptions,
  ) {}

  start(): void {
    this.ws.addEventListener("message", (event) => this.receive(event.data));
    this.ws.addEventListener("close", (event) => this.close(1000, event.reason));
    this.ws.addEventListener("error", () => this.end());
    const hello: StreamHello = {
      ready: {
        window: WINDOW_FRAMES,
        windowBytes: WINDOW_BYTES,
        maxFrameBytes: MAX_FRAME_BYTES,
        maxEventsPerFrame: MAX_EVENTS_PER_REQUEST,
      },
    };
    this.send(hello);
  }

  private get inFlightBytes(): number {
    let sum = 0;
    for (const f of this.waiting) sum += f.bytes;
    for (const f of this.storing) sum += f.bytes;
    return sum;
  }

  private receive(data: string | ArrayBuffer): void {
    if (this.closed) return;
    const seq = ++this.seq;
    const receivedAt = Date.now();
    if (typeof data !== "string") {
      this.ack(seq, null, {
        ...problemBody(
          415,
          "Unsupported Media Type",
          "Send events as text frames (NDJSON), not binary frames.",
          [{ path: "(frame)", message: "must be a text frame" }],
        ),
      });
      return;
    }
    const bytes =
      data.length * 3 <= MAX_FRAME_BYTES ? data.length : encoder.encode(data).byteLength;
    if (bytes > MAX_FRAME_BYTES) {
      this.fail(seq, null, payloadTooLarge(`The frame is larger than ${MAX_FRAME_BYTES} bytes.`));
      return;
    }
    let parsed: { key: string | null; raw: RawEvent[] };
    try {
      parsed = parseFrame(data);
    } catch (error) {
      if (error instanceof FrameError) this.fail(seq, error.key, error.problem);
      else if (error instanceof ProblemError) this.fail(seq, null, error);
      else throw error;
      return;
    }
    const inFlight = this.waiting.length + this.storing.length;
    if (inFlight >= WINDOW_FRAMES || (inFlight > 0 && this.inFlightBytes + bytes > WINDOW_BYTES)) {
      this.ack(seq, parsed.key, {
        ...problemBody(
          429,
          "Too Many Requests",
          `More than ${WINDOW_FRAMES} frames or ${WINDOW_BYTES} bytes are unacknowledged: this frame was not taken. Wait for an ack, then resend it.`,
        ),
      });
      return;
    }
    this.waiting.push({ seq, key: parsed.key, raw: parsed.raw, text: data, bytes, receivedAt });
    void this.pump();
  }

  /** Stores the waiting frames one batch at a time, until none waits. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.length > 0 && !this.closed) {
        this.storing = this.waiting.splice(0);
        try {
          await this.storeBatch(this.storing);
        } catch (error) {
          console.error("stream: a batch failed", error);
          for (const f of this.storing)
            this.ack(f.seq, f.key, {
              ...problemBody(
                503,
                "Service Unavailable",
                "The frame was not stored; resend it (with the same $key).",
              ),
            });
        }
        this.storing = [];
        this.batches += 1;
        if (this.batches >= (this.options.maxBatches ?? MAX_BATCHES_PER_CONNECTION))
          this.close(CLOSE_RECONNECT, "batch limit of this connection reached: reconnect");
      }
    } finally {
      this.pumping = false;
    }
  }

  private async storeBatch(frames: Frame[]): Promise<void> {
    let auth: IngestAuth;
    try {
      auth = await this.options.authorize();
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      for (const f of frames) this.fail(f.seq, f.key, error);
      this.close(CLOSE_POLICY, error.message);
      return;
    }
    const ready: { frame: Frame; message: CoalescedMessage }[] = [];
    for (const frame of frames) {
      const sorted = sortEvents(auth, frame.raw, frame.receivedAt);
      if (sorted.events.length === 0) {
        this.fail(frame.seq, frame.key, noneAccepted(sorted.rejected));
        continue;
      }
      // Keyed frames are named by key and text: resent, they are stored once;
      // a key reused for other events is a new frame, never a silent drop.
      const id =
        frame.key === null
          ? crypto.randomUUID()
          : `stream:${await sha256Hex(`${frame.key}\n${frame.text}`)}`;
      ready.push({ frame, message: toMessage(auth, id, frame.receivedAt, sorted) });
    }
    if (ready.length === 0) return;
    const outcome = await storeMany(
      this.options.env,
      auth,
      ready.map((r) => r.message),
    );
    if (outcome === "business-deleted") {
      const gone = new ProblemError(404, "Not Found", "The business was deleted.");
      for (const { frame } of ready) this.fail(frame.seq, frame.key, gone);
      this.close(CLOSE_POLICY, gone.message);
      return;
    }
    for (const { frame, message } of ready)
      this.ack(frame.seq, frame.key, {
        status: 202,
        accepted: message.events.length,
        rejected: message.rejected,
      });
  }

  private fail(seq: number, key: string | null, error: ProblemError): void {
    this.ack(seq, key, problemOf(error));
  }

  private ack(
    seq: number,
    key: string | null,
    body: Omit<Extract<Ack, { status: 202 }>, "ack" | "key"> | ProblemBody,
  ): void {
    this.send({ ack: seq, key, ...body });
  }

  private send(message: Ack | StreamHello): void {
    if (this.closed) return;
    try {
      this.ws.send(JSON.stringify(message));
    } catch {
      // The client went away: what it did not see acknowledged, it resends.
      this.end();
    }
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.end();
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      // Already closing.
    }
  }

  /** Frames not yet stored are dropped: they were never acknowledged, so the client resends them. */
  private end(): void {
    this.closed = true;
    this.waiting.length = 0;
  }
}
