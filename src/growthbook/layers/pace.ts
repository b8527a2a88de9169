// Client-side pacing, so that a run under the server's limit never sees a 429:
// - spacing of window/rpm ms between requests, after a small initial burst (the first pages);
// - never more than `requestsPerMinute` starts in any window (the burst is paid back, not added);
// - when the server says `RateLimit-Remaining: 0`, nothing more until its `RateLimit-Reset`.
// Slots are reserved synchronously, so concurrent callers are spaced too.
import type { Clock } from '../../util/clock.js';
import { rateLimitState } from '../retry-timing.js';
import type { Layer } from '../types.js';
import type { Wait } from './deadline.js';

export const PACE_BURST = 5;
/** GrowthBook counts requests over a fixed 60 s window. */
const WINDOW_MS = 60_000;

export interface PaceOptions {
  requestsPerMinute: number;
  /** The window `requestsPerMinute` is counted over; 60 s unless a test shortens it. */
  windowMs?: number;
  clock: Clock;
  wait: Wait;
  burst?: number;
}

export function pace(o: PaceOptions): Layer {
  const windowMs = o.windowMs ?? WINDOW_MS;
  const interval = windowMs / o.requestsPerMinute;
  const burst = Math.max(1, o.burst ?? PACE_BURST);
  const perWindow = Math.max(1, Math.floor(o.requestsPerMinute));
  let theoretical = Number.NEGATIVE_INFINITY; // when the bucket would next be empty (GCRA)
  const starts: number[] = []; // the last `perWindow` reserved start times, ascending
  let serverBlockedUntil = Number.NEGATIVE_INFINITY;

  function reserve(): number {
    let slot = Math.max(o.clock.now(), theoretical - (burst - 1) * interval);
    const oldest = starts.length >= perWindow ? starts[starts.length - perWindow] : undefined;
    if (oldest !== undefined) slot = Math.max(slot, oldest + windowMs);
    theoretical = Math.max(theoretical, slot) + interval;
    starts.push(slot);
    if (starts.length > perWindow) starts.splice(0, starts.length - perWindow);
    return slot;
  }

  /**
   * True when the server's count is exhausted by our own requests alone and our cap already keeps
   * any window-long interval at or under the server's limit: then the next reserved slot cannot be
   * refused, whatever the phase of the server's fixed window, and the coarse reset need not be waited.
   */
  function ownCapCovers(serverLimit: number | null): boolean {
    if (serverLimit === null || perWindow > serverLimit) return false;
    const since = o.clock.now() - windowMs;
    return starts.filter((s) => s > since).length >= serverLimit;
  }

  return (next) => async (req) => {
    const slot = reserve();
    const what = `${req.method} ${req.path}`;
    // Loop: the server may report an exhausted window while this request was waiting for its slot.
    for (;;) {
      const until = Math.max(slot, serverBlockedUntil);
      const ms = until - o.clock.now();
      if (ms <= 0) break;
      await o.wait(ms, until === slot ? `${what} (pacing)` : `${what} (server rate-limit window)`);
    }
    const res = await next(req);
    const limit = rateLimitState(res.headers, o.clock.now(), windowMs);
    if (limit && limit.remaining <= 0 && !ownCapCovers(limit.limit)) {
      // Someone else spends this key's budget too: wait for the server's reset (whole seconds, so
      // rounded up; without a believable reset time, a whole window, never more).
      serverBlockedUntil = Math.max(serverBlockedUntil, o.clock.now() + (limit.resetMs ?? windowMs));
    }
    return res;
  };
}
