// Pure header arithmetic for retries and pacing: no clock, no I/O.

/** Backoffs beyond this are pointless for a 30-minute job; a Retry-After may still ask for more. */
export const MAX_BACKOFF_MS = 60_000;

/**
 * Exponential backoff with equal jitter: half of `base·2^(n−1)` is fixed, the other half random, so
 * retries never fire back to back yet do not march in lockstep. `retry` counts from 1.
 */
export function backoffMs(retry: number, baseMs: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, nowMs: number): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

export interface RateLimitState {
  /** `RateLimit-Limit`: the server's requests per window; null when absent. */
  limit: number | null;
  remaining: number;
  /** Time until the server's window resets; null when the header is missing. */
  resetMs: number | null;
}

/**
 * The IETF draft headers express-rate-limit sends (`RateLimit-Remaining`, `RateLimit-Reset` in seconds
 * until the window resets). A reset is never trusted past one window: a value too large to be seconds
 * (an epoch time, as some servers send) is read as an epoch time, and anything still outside
 * `[0, windowMs]` (a day, a date in 2100, a negative number, words) counts as unknown, which the
 * pacer treats as one whole window.
 */
export function rateLimitState(headers: Headers, nowMs: number, windowMs: number): RateLimitState | null {
  const remaining = numberHeader(headers, 'ratelimit-remaining');
  if (remaining === null) return null;
  return {
    limit: numberHeader(headers, 'ratelimit-limit'),
    remaining,
    resetMs: resetMs(numberHeader(headers, 'ratelimit-reset'), nowMs, windowMs),
  };
}

/** Seconds that look like an epoch time rather than a delay (2001-09-09 onwards). */
const EPOCH_SECONDS = 1e9;

function resetMs(reset: number | null, nowMs: number, windowMs: number): number | null {
  if (reset === null || reset < 0) return null;
  const ms = reset >= EPOCH_SECONDS ? reset * 1000 - nowMs : reset * 1000;
  return ms >= 0 ? Math.min(ms, windowMs) : null;
}

/** An empty header is absent, not zero. */
function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name)?.trim();
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
