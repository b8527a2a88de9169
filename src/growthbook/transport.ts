// The innermost layer: one HTTP attempt (redirects refused, body read in full within the timeout),
// reported to the request hook.
import { BodyTooLargeError, FetchFailure, plainFetch } from '../http/plain-fetch.js';
import type { Clock } from '../util/clock.js';
import { GrowthBookNetworkError, GrowthBookResponseError } from './errors.js';
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

/** A page of 100 members is about 100 KB; anything near this size is not a GrowthBook answer. */
export const GROWTHBOOK_MAX_BODY_BYTES = 8 * 1024 * 1024;

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
        maxBodyBytes: GROWTHBOOK_MAX_BODY_BYTES,
      });
      if (res.status === 429) o.stats.rateLimited += 1;
      report(res.status);
      return { status: res.status, headers: res.headers, body: res.body, attempt };
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // An answer no GrowthBook sends: reported as malformed, never retried.
        report(error.status, error.message);
        throw new GrowthBookResponseError(req.method, req.path, error.status, error.message);
      }
      if (!(error instanceof FetchFailure)) throw error;
      const detail = error.timedOut ? `no complete answer within ${timeoutMs} ms` : error.detail;
      report(null, detail);
      throw new GrowthBookNetworkError(req.method, req.path, detail, error.timedOut, attempt, {
        cause: error,
      });
    }
  };
}
