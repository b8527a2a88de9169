// Client-side pacing, so that a run under the server's limit never sees a 429:
// - spacing of 60000/rpm ms between requests, after a small initial burst (the first pages);
// - never more than `requestsPerMinute` starts in any 60 s (the burst is paid back, not added);
// - when the server says `RateLimit-Remaining: 0`, nothing more until its `RateLimit-Reset`.
// Slots are reserved synchronously, so concurrent callers are spaced too.
import type { Clock } from '../../util/clock.js';
import { rateLimitState } from '../retry-timing.js';
import type { Layer } from '../types.js';
import type { Wait } from './deadline.js';

export const PACE_BURST = 5;
const WINDOW_MS = 60_000;

export interface PaceOptions {
  requestsPerMinute: number;
  clock: Clock;
  wait: Wait;
  burst?: number;
}

export function pace(o: PaceOptions): Layer {
  const interval = WINDOW_MS / o.requestsPerMinute;
  const burst = Math.max(1, o.burst ?? PACE_BURST);
  const perWindow = Math.max(1, Math.floor(o.requestsPerMinute));
  let theoretical = Number.NEGATIVE_INFINITY; // when the bucket would next be empty (GCRA)
  const starts: number[] = []; // the last `perWindow` reserved start times, ascending
  let serverBlockedUntil = Number.NEGATIVE_INFINITY;

  function reserve(): number {
    let slot = Math.max(o.clock.now(), theoretical - (burst - 1) * interval);
    const oldest = starts.length >= perWindow ? starts[starts.length - perWindow] : undefined;
    if (oldest !== undefined) slot = Math.max(slot, oldest + WINDOW_MS);
    theoretical = Math.max(theoretical, slot) + interval;
    starts.push(slot);
    if (starts.length > perWindow) starts.splice(0, starts.length - perWindow);
    return slot;
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
    const limit = rateLimitState(res.headers);
    if (limit && limit.remaining <= 0) {
      // Without a reset time, assume a whole window (the server's is 60 s).
      serverBlockedUntil = Math.max(serverBlockedUntil, o.clock.now() + (limit.resetMs ?? WINDOW_MS));
    }
    return res;
  };
}
