// The innermost layer: one HTTP attempt (redirects refused, body read in full within the timeout),
// reported to the request hook.
import { FetchFailure, plainFetch } from '../http/plain-fetch.js';
import type { Clock } from '../util/clock.js';
import { GrowthBookNetworkError } from './errors.js';
import type { Redact } from './redact.js';
import type { ClientStats, RequestEvent, Send } from './types.js';

export interface TransportOptions {
  baseUrl: string;
  fetch: typeof fetch;
  requestTimeoutMs: number;
  clock: Clock;
  redact: Redact;
  stats: ClientStats;
  onRequest: (event: RequestEvent) => void;
}

export function httpTransport(o: TransportOptions): Send {
  return async (req) => {
    const attempt = req.attempt ?? 1;
    const timeoutMs = req.timeoutMs ?? o.requestTimeoutMs;
    const started = o.clock.now();
    const report = (status: number | null, error?: string) =>
      o.onRequest({
        method: req.method,
        path: req.path,
        status,
        attempt,
        durationMs: o.clock.now() - started,
        ...(error === undefined ? {} : { error }),
      });
    o.stats.requests += 1;
    try {
      const res = await plainFetch({
        url: o.baseUrl + req.path,
        method: req.method,
        headers: req.headers ?? {},
        body: req.body === undefined ? null : JSON.stringify(req.body),
        timeoutMs,
        fetch: o.fetch,
        redact: o.redact,
      });
      if (res.status === 429) o.stats.rateLimited += 1;
      report(res.status);
      return { status: res.status, headers: res.headers, body: res.body, attempt };
    } catch (error) {
      if (!(error instanceof FetchFailure)) throw error;
      const detail = error.timedOut ? `no complete answer within ${timeoutMs} ms` : error.detail;
      report(null, detail);
      throw new GrowthBookNetworkError(req.method, req.path, detail, error.timedOut, attempt, {
        cause: error,
      });
    }
  };
}
