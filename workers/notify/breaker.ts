/**
 * Per-destination protection: after a run of failures a destination is left
 * alone for a while, so one dead endpoint does not hold up the others (its
 * messages go back to the Queue with a delay instead of waiting on timeouts).
 */
export const FAILURES_TO_OPEN = 5;
export const OPEN_FOR_MS = 60_000;

const state = new Map<string, { failures: number; openUntil: number }>();

export function isOpen(destination: string, now = Date.now()): boolean {
  const s = state.get(destination);
  return s !== undefined && s.openUntil > now;
}

export function recordSuccess(destination: string): void {
  state.delete(destination);
}

export function recordFailure(destination: string, now = Date.now()): void {
  const s = state.get(destination) ?? { failures: 0, openUntil: 0 };
  s.failures += 1;
  if (s.failures >= FAILURES_TO_OPEN) s.openUntil = now + OPEN_FOR_MS;
  state.set(destination, s);
}

/** The backoff's unit unless NOTIFY_RETRY_BASE_SECONDS says otherwise. */
export const RETRY_BASE_SECONDS = 5;

/**
 * NOTIFY_RETRY_BASE_SECONDS: a positive number of seconds (the end-to-end
 * tests' local stack uses 1, so a retried delivery takes seconds, not half a
 * minute); anything else is the default.
 */
export function retryBaseSeconds(value: string | undefined): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : RETRY_BASE_SECONDS;
}

/**
 * Exponential backoff with ±20% jitter, in whole seconds: 10 s, 20 s, 40 s …
 * at most an hour (with the default base of 5 s; the base doubles per attempt).
 */
export function retryDelaySeconds(
  attempt: number,
  random = Math.random,
  baseSeconds = RETRY_BASE_SECONDS,
): number {
  const base = Math.min(3600, baseSeconds * 2 ** Math.max(1, attempt));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}
