// Client options: one defaults object, resolved once; an undefined option never erases a default.
import { apiKeyProblem } from '../config/environment.js';
import { ConfigError } from '../errors.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Deadline, noDeadline } from '../util/deadline.js';
import type { RequestEvent } from './types.js';

export interface GrowthBookClientOptions {
  /** Config `growthbook.url`; requests go to `${baseUrl}/api/v1/…`. */
  baseUrl: string;
  apiKey: string;
  /** `basic` sends base64("key:"). */
  authScheme?: 'bearer' | 'basic';
  requestsPerMinute?: number;
  /**
   * The length of the server's rate-limit window that `requestsPerMinute` is counted over. GrowthBook's
   * is 60 s; tests and benchmarks shorten it together with the emulator's.
   */
  rateWindowMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  requestTimeoutMs?: number;
  deadline?: Deadline;
  clock?: Clock;
  fetch?: typeof fetch;
  onRequest?: (event: RequestEvent) => void;
  /** Told before every wait (pacing, a rate-limit window, a retry's backoff), for a progress display. */
  onWait?: (ms: number, what: string) => void;
}

export const CLIENT_DEFAULTS = {
  authScheme: 'bearer',
  requestsPerMinute: 60,
  rateWindowMs: 60_000,
  maxRetries: 5,
  retryBaseMs: 1000,
  requestTimeoutMs: 30_000,
  deadline: noDeadline,
  clock: systemClock,
  onRequest: () => {},
  onWait: () => {},
} as const satisfies Partial<GrowthBookClientOptions>;

export type ResolvedClientOptions = Required<GrowthBookClientOptions>;

export function resolveClientOptions(options: GrowthBookClientOptions): ResolvedClientOptions {
  const o: ResolvedClientOptions = {
    ...CLIENT_DEFAULTS,
    // Looked up at construction, not at import, so a stubbed global is honoured.
    fetch: globalThis.fetch,
    ...dropUndefined(options),
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
  };
  if (!/^https?:\/\/[^/\s]+/i.test(o.baseUrl)) {
    throw new ConfigError('growthbook.url must be an http:// or https:// URL');
  }
  if (o.apiKey.trim() === '') throw new ConfigError('the GrowthBook API key is empty');
  const problem = apiKeyProblem(o.apiKey);
  if (problem) throw new ConfigError(`GrowthBook API key: ${problem}`);
  positive('requestsPerMinute', o.requestsPerMinute);
  positive('rateWindowMs', o.rateWindowMs);
  positive('requestTimeoutMs', o.requestTimeoutMs);
  nonNegative('retryBaseMs', o.retryBaseMs);
  if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0) {
    throw new ConfigError(`maxRetries must be a whole number ≥ 0, got ${o.maxRetries}`);
  }
  return o;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function positive(name: string, value: number) {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be > 0, got ${value}`);
}

function nonNegative(name: string, value: number) {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name} must be ≥ 0, got ${value}`);
}
