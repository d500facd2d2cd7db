/** Ingest limits; docs/ingest.md states them for users. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_EVENTS_PER_REQUEST = 10_000;
export const MAX_KEYS_PER_EVENT = 256;
export const MAX_STRING_LENGTH = 8192;
/** Field names of undeclared fields (declared ones are identifiers of at most 64 characters). */
export const MAX_KEY_LENGTH = 128;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Event times further ahead than this are rejected (device clocks drift, but not by hours). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** How far back history may go: older events are rejected. Events past the business's retention go to the archive. */
export const MAX_PAST_YEARS = 10;
export const MAX_PAST_MS = MAX_PAST_YEARS * 365.25 * 86_400_000;
