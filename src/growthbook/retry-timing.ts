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

/** The IETF draft headers express-rate-limit sends (`RateLimit-Remaining`, `RateLimit-Reset` in seconds). */
export function rateLimitState(headers: Headers): RateLimitState | null {
  const remaining = numberHeader(headers, 'ratelimit-remaining');
  if (remaining === null) return null;
  const reset = numberHeader(headers, 'ratelimit-reset');
  return {
    limit: numberHeader(headers, 'ratelimit-limit'),
    remaining,
    resetMs: reset !== null && reset >= 0 ? reset * 1000 : null,
  };
}

/** An empty header is absent, not zero. */
function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name)?.trim();
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
