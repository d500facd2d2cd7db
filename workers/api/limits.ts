import { bodyLimit } from "hono/body-limit";
import { payloadTooLarge, toProblemResponse } from "../lib/errors";

/**
 * Management request bodies (businesses, rules, channels, views) are small; the
 * largest valid one is a rule with 10,000 expected group keys of 200 characters.
 * Ingest has its own, larger limit (workers/ingest/limits.ts).
 */
export const MAX_MANAGEMENT_BODY_BYTES = 4 * 1024 * 1024;

/** Refuses a larger body with 413 problem details, from Content-Length or while reading it. */
export const managementBodyLimit = bodyLimit({
  maxSize: MAX_MANAGEMENT_BODY_BYTES,
  onError: () =>
    toProblemResponse(
      payloadTooLarge(`A request body may have at most ${MAX_MANAGEMENT_BODY_BYTES} bytes.`),
    ),
});
