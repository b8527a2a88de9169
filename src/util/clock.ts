// Time comes from an injected clock so pacing, retries and deadlines can be tested without waiting.
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Node turns a timer longer than this into a 1 ms one; longer sleeps are taken in pieces. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    let left = Number.isFinite(ms) ? Math.max(0, ms) : MAX_TIMER_MS;
    do {
      const piece = Math.min(left, MAX_TIMER_MS);
      await delay(piece);
      left -= piece;
    } while (left > 0);
  },
};
