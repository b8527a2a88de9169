// Client-side pacing, so that a run under the server's limit never sees a 429:
// - spacing of window/rpm ms between requests, after a small initial burst (the first pages);
// - never more than `requestsPerMinute` starts in any window (the burst is paid back, not added);
// - when the server says `RateLimit-Remaining: 0`, nothing more until its `RateLimit-Reset`.
// Slots are reserved synchronously, so concurrent callers are spaced too.
// A unit of several requests (a member's fresh read and its write) reserves its slots together and
// waits once, before the first: its requests then go back to back, with no pacing wait between them.
import { AsyncLocalStorage } from 'node:async_hooks';
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

export interface Pacer {
  layer: Layer;
  /**
   * Runs `work` with `requests` slots reserved back to back before it starts; the first `requests`
   * requests `work` makes use them without waiting. Further requests (a retry) are paced as usual.
   */
  unit<T>(requests: number, work: () => Promise<T>): Promise<T>;
}

export function pace(o: PaceOptions): Pacer {
  const windowMs = o.windowMs ?? WINDOW_MS;
  const interval = windowMs / o.requestsPerMinute;
  const burst = Math.max(1, o.burst ?? PACE_BURST);
  const perWindow = Math.max(1, Math.floor(o.requestsPerMinute));
  let theoretical = Number.NEGATIVE_INFINITY; // when the bucket would next be empty (GCRA)
  const starts: number[] = []; // the last `perWindow` reserved start times, ascending
  let serverBlockedUntil = Number.NEGATIVE_INFINITY;

  const prepaid = new AsyncLocalStorage<{ left: number }>();

  /** The earliest time `count` requests may start together without breaking either limit. */
  function reserve(count = 1): number {
    let slot = Math.max(o.clock.now(), theoretical - (burst - count) * interval);
    const index = starts.length - (perWindow - count + 1);
    const oldest = index >= 0 ? starts[index] : undefined;
    if (oldest !== undefined) slot = Math.max(slot, oldest + windowMs);
    theoretical = Math.max(theoretical, slot) + count * interval;
    for (let i = 0; i < count; i += 1) starts.push(slot);
    if (starts.length > perWindow) starts.splice(0, starts.length - perWindow);
    return slot;
  }

  async function waitFor(slot: number, what: string): Promise<void> {
    // Loop: the server may report an exhausted window while this request was waiting for its slot.
    for (;;) {
      const until = Math.max(slot, serverBlockedUntil);
      const ms = until - o.clock.now();
      if (ms <= 0) return;
      await o.wait(ms, until === slot ? `${what} (pacing)` : `${what} (server rate-limit window)`);
    }
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

  const layer: Layer = (next) => async (req) => {
    const unit = prepaid.getStore();
    if (unit && unit.left > 0) {
      // Paid for when the unit started. Only a server-reported exhausted window still holds it
      // back: sending into it would spend a 429.
      unit.left -= 1;
      await waitFor(Number.NEGATIVE_INFINITY, `${req.method} ${req.path}`);
    } else {
      await waitFor(reserve(), `${req.method} ${req.path}`);
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

  return {
    layer,
    async unit(requests, work) {
      const count = Math.max(1, Math.min(Math.floor(requests), perWindow));
      await waitFor(reserve(count), `${count} paired requests`);
      return prepaid.run({ left: count }, work);
    },
  };
}
