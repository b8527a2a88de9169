// Waits taken from a server's headers are bounded: a hostile or broken RateLimit-Reset can neither
// stall a run for a day nor spin it in a timer loop, and no wait runs past the run deadline.
import { afterEach, describe, expect, test } from 'vitest';
import { DeadlineError } from '../../src/errors.js';
import { rateLimitState } from '../../src/growthbook/retry-timing.js';
import { createDeadline } from '../../src/util/deadline.js';
import { fakeClock, startServer, type TestServer, testClient } from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const INFO = { name: 'GrowthBook API', apiVersion: 1 };
const NOW = Date.UTC(2026, 0, 1);

/** The first answer says the window is spent, with `reset` as its RateLimit-Reset. */
async function waitAfterExhaustedWindow(reset: string): Promise<number[]> {
  const clock = fakeClock(NOW);
  server = await startServer((_r, i) => ({
    headers: {
      'RateLimit-Limit': '60',
      'RateLimit-Remaining': i === 0 ? '0' : '59',
      'RateLimit-Reset': reset,
    },
    body: INFO,
  }));
  const { client } = testClient(server, { clock });
  await client.info();
  await client.info();
  return clock.sleeps;
}

describe('RateLimit-Reset is bounded', () => {
  const cases: Array<[proves: string, reset: string, want: number]> = [
    ['a plausible reset is followed', '23', 23_000],
    ['a day is capped at one rate window', '86400', 60_000],
    ['an epoch-seconds reset is read as a time, capped at one window', String(NOW / 1000 + 17), 17_000],
    ['an epoch far in the future is capped at one window', '4102444800', 60_000],
    ['a number past the timer range is capped at one window', '1e300', 60_000],
    ['a negative reset waits one window', '-5', 60_000],
    ['garbage waits one window', 'soon', 60_000],
  ];
  for (const [proves, reset, want] of cases) {
    test(proves, async () => {
      expect(await waitAfterExhaustedWindow(reset)).toEqual([want]);
    });
  }

  test('every wait computed from a reset value fits one window (pure)', () => {
    for (const reset of ['0', '59', '60', '61', '86400', '1e12', '-1', 'NaN', 'Infinity', '1.5e9']) {
      const headers = new Headers({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': reset });
      const state = rateLimitState(headers, NOW, 60_000);
      expect(state?.resetMs ?? 60_000, reset).toBeGreaterThanOrEqual(0);
      expect(state?.resetMs ?? 60_000, reset).toBeLessThanOrEqual(60_000);
    }
  });

  test('a server wait that would cross the run deadline stops the run instead of sleeping', async () => {
    const clock = fakeClock(NOW);
    server = await startServer(() => ({
      headers: { 'RateLimit-Limit': '60', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '50' },
      body: INFO,
    }));
    const { client } = testClient(server, { clock, deadline: createDeadline(30, clock) });
    await client.info();
    await expect(client.info()).rejects.toBeInstanceOf(DeadlineError);
    expect(clock.sleeps).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });
});
