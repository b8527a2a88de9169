// The innermost layer: one HTTP attempt with Node's fetch, body read in full within the timeout.
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
      const res = await o.fetch(o.baseUrl + req.path, {
        method: req.method,
        headers: req.headers ?? {},
        body: req.body === undefined ? null : JSON.stringify(req.body),
        // A redirect is a misconfigured URL, and following one could carry the key elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await res.text();
      if (res.status === 429) o.stats.rateLimited += 1;
      report(res.status);
      return { status: res.status, headers: res.headers, body, attempt };
    } catch (error) {
      const timedOut = isTimeout(error);
      const detail = o.redact(
        timedOut ? `no complete answer within ${timeoutMs} ms` : describeFailure(error),
      );
      report(null, detail);
      // A fresh cause, built from text only: the original error objects are never kept.
      throw new GrowthBookNetworkError(req.method, req.path, detail, timedOut, attempt, {
        cause: new Error(detail),
      });
    }
  };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, a TLS reason) is in its causes. */
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(
      typeof code === 'string' && !current.message.includes(code)
        ? `${current.message} (${code})`
        : current.message,
    );
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}
