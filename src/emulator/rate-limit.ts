// The API rate limiter (docs/growthbook-api.md §3): express-rate-limit 6.6.0 with its
// MemoryStore, i.e. one fixed window for the whole process, started at server start, with a hit
// count per API key; every authenticated request counts, over-limit ones included.

export interface RateLimitOptions {
  max: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  limited: boolean;
  headers: Record<string, string>;
}

export type RateLimiter = (key: string) => RateLimitVerdict;

export const RATE_LIMIT_DEFAULTS: RateLimitOptions = { max: 60, windowMs: 60_000 };

export function createRateLimiter(options: RateLimitOptions, now: () => number = Date.now): RateLimiter {
  const { max, windowMs } = options;
  const start = now();
  let window = 0;
  let hits = new Map<string, number>();
  return (key) => {
    const t = now();
    // The store resets every count at once, every windowMs from start.
    const current = Math.floor((t - start) / windowMs);
    if (current !== window) {
      window = current;
      hits = new Map();
    }
    const total = (hits.get(key) ?? 0) + 1;
    hits.set(key, total);
    const resetAt = start + (current + 1) * windowMs;
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(max),
      'RateLimit-Remaining': String(Math.max(max - total, 0)),
      'RateLimit-Reset': String(Math.max(0, Math.ceil((resetAt - t) / 1000))),
    };
    const limited = total > max;
    // Always the whole window, not the time actually left.
    if (limited) headers['Retry-After'] = String(Math.ceil(windowMs / 1000));
    return { limited, headers };
  };
}

export const rateLimitMessage = (max: number): { message: string } => ({
  message: `Too many requests, limit to ${max} per minute`,
});
