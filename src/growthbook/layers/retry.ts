// Outermost layer: every attempt goes through the deadline, pacing and identity layers again.
// Retried: 429 (refused before it ran, so safe for a write too); for reads only, 5xx and network
// errors. Never: other 4xx, and a write whose outcome is unknown (the applier re-reads instead).
import type { Clock } from '../../util/clock.js';
import { GrowthBookNetworkError } from '../errors.js';
import { backoffMs, retryAfterMs } from '../retry-timing.js';
import type { ApiRequest, ClientStats, Layer } from '../types.js';
import type { Wait } from './deadline.js';

/** A server asking for a longer pause than this is not waited for; the 429 is reported instead. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export interface RetryOptions {
  maxRetries: number;
  retryBaseMs: number;
  clock: Clock;
  wait: Wait;
  stats: ClientStats;
  random?: () => number;
}

export function isRetryableStatus(method: ApiRequest['method'], status: number): boolean {
  if (status === 429) return true;
  return method === 'GET' && status >= 500 && status <= 599;
}

export function retry(o: RetryOptions): Layer {
  const random = o.random ?? Math.random;
  return (next) => async (req) => {
    const what = `retry of ${req.method} ${req.path}`;
    for (let attempt = 1; ; attempt += 1) {
      const retriesLeft = attempt <= o.maxRetries;
      let pause: number;
      try {
        const res = await next({ ...req, attempt });
        if (!retriesLeft || !isRetryableStatus(req.method, res.status)) return res;
        const floor = retryAfterMs(res.headers, o.clock.now()) ?? 0;
        if (floor > MAX_RETRY_AFTER_MS) return res;
        pause = Math.max(floor, backoffMs(attempt, o.retryBaseMs, random));
      } catch (error) {
        if (!(error instanceof GrowthBookNetworkError) || req.method !== 'GET' || !retriesLeft) throw error;
        pause = backoffMs(attempt, o.retryBaseMs, random);
      }
      await o.wait(pause, what);
      o.stats.retries += 1;
    }
  };
}
