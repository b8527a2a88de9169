import { afterEach, describe, expect, test } from 'vitest';
import { deadlineWait } from '../../src/growthbook/layers/deadline.js';
import { PACE_BURST, pace } from '../../src/growthbook/layers/pace.js';
import type { ApiResponse } from '../../src/growthbook/types.js';
import { noDeadline } from '../../src/util/deadline.js';
import {
  type FakeClock,
  fakeClock,
  members,
  pageOf,
  startServer,
  type TestServer,
  testClient,
} from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const INFO = { name: 'GrowthBook API', apiVersion: 1 };

describe('client-side spacing through the client (fake clock)', () => {
  /** A server that notes the client's clock at each arrival. */
  async function timedServer(clock: FakeClock) {
    const arrivals: number[] = [];
    server = await startServer(() => {
      arrivals.push(clock.now());
      return { body: INFO };
    });
    return arrivals;
  }

  test('at 600/min: a burst of 5, then one request every 100 ms', async () => {
    const clock = fakeClock(0);
    const arrivals = await timedServer(clock);
    const { client } = testClient(server, { requestsPerMinute: 600, clock });
    for (let i = 0; i < 9; i += 1) await client.info();
    expect(arrivals).toEqual([0, 0, 0, 0, 0, 100, 200, 300, 400]);
    expect(clock.sleeps).toEqual([100, 100, 100, 100]);
  });

  test('concurrent callers share the same schedule', async () => {
    const clock = fakeClock(0);
    const arrivals = await timedServer(clock);
    const { client } = testClient(server, { requestsPerMinute: 600, clock });
    await Promise.all(Array.from({ length: 8 }, () => client.info()));
    // The burst goes at once; each of the three others waits for a slot of its own, the last one
    // 300 ms after the first request.
    expect(arrivals).toHaveLength(8);
    expect(clock.sleeps).toHaveLength(3);
    expect(clock.now()).toBeGreaterThanOrEqual(300);
  });
});

/** Drives the pace layer alone, recording the fake time at which each request goes out. */
function pacedStarts(clock: FakeClock, rpm: number, n: number) {
  const starts: number[] = [];
  const send = pace({ requestsPerMinute: rpm, clock, wait: deadlineWait(noDeadline, clock) }).layer(
    async (req) => {
      starts.push(clock.now());
      return {
        status: 200,
        headers: new Headers(),
        body: '{}',
        attempt: req.attempt ?? 1,
      } satisfies ApiResponse;
    },
  );
  // Sequential: a fake clock that jumps on every sleep cannot model concurrent sleepers.
  const run = async () => {
    for (let i = 0; i < n; i += 1) await send({ method: 'GET', path: '/x' });
  };
  return { starts, run };
}

describe('pacing rules (fake clock)', () => {
  test('never more than requestsPerMinute starts in any 60 s, burst included', async () => {
    const clock = fakeClock(0);
    const { starts, run } = pacedStarts(clock, 10, 40);
    await run();
    for (const s of starts) {
      expect(starts.filter((t) => t >= s && t < s + 60_000).length).toBeLessThanOrEqual(10);
    }
    expect(starts.slice(0, PACE_BURST)).toEqual([0, 0, 0, 0, 0]);
    expect(starts[PACE_BURST]).toBe(6_000);
  });

  test('an idle client regains its burst', async () => {
    const clock = fakeClock(0);
    const { starts, run } = pacedStarts(clock, 60, 10);
    await run();
    clock.advance(3_600_000);
    const before = starts.length;
    await run();
    expect(starts.slice(before, before + PACE_BURST).every((t) => t === starts[before])).toBe(true);
  });
});

describe('following the server', () => {
  test('RateLimit-Remaining: 0 → the next request waits for RateLimit-Reset', async () => {
    const clock = fakeClock();
    const arrivals: number[] = [];
    server = await startServer((_r, i) => {
      arrivals.push(clock.now());
      return {
        headers: {
          'RateLimit-Limit': '60',
          'RateLimit-Remaining': i === 0 ? '0' : '59',
          'RateLimit-Reset': '23',
        },
        body: INFO,
      };
    });
    const { client } = testClient(server, { clock });
    await client.info();
    await client.info();
    expect(clock.sleeps).toEqual([23_000]);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBe(23_000);
    expect(client.stats().rateLimited).toBe(0);
  });

  /** express-rate-limit 6 as GrowthBook configures it (§3): a fixed window shared by all keys. */
  function rateLimitedServer(clock: FakeClock, max: number, windowStartedAgoMs: number) {
    let windowEnd = clock.now() - windowStartedAgoMs + 60_000;
    let hits = 0;
    return (items: unknown[]) =>
      startServer((req) => {
        while (clock.now() >= windowEnd) {
          windowEnd += 60_000;
          hits = 0;
        }
        hits += 1;
        const headers = {
          'RateLimit-Limit': String(max),
          'RateLimit-Remaining': String(Math.max(0, max - hits)),
          'RateLimit-Reset': String(Math.ceil((windowEnd - clock.now()) / 1000)),
        };
        if (hits > max) {
          return {
            status: 429,
            headers: { ...headers, 'Retry-After': '60' },
            body: { message: 'Too many requests' },
          };
        }
        return { headers, body: pageOf(items, req.url) };
      });
  }

  test('a run faster than the server allows sees no 429 (2,500 members, limit 10/min)', async () => {
    const clock = fakeClock();
    server = await rateLimitedServer(clock, 10, 37_000)(members(2_500));
    const { client } = testClient(server, { clock, requestsPerMinute: 600 });
    expect(await client.listMembers()).toHaveLength(2_500);
    expect(server.seen).toHaveLength(25);
    expect(client.stats()).toEqual({ requests: 25, retries: 0, rateLimited: 0 });
  });

  test('at the default 60/min against the real limit of 60: 130 pages, no 429', async () => {
    const clock = fakeClock();
    server = await rateLimitedServer(clock, 60, 5_000)(members(13_000));
    const { client } = testClient(server, { clock });
    expect(await client.listMembers()).toHaveLength(13_000);
    expect(client.stats()).toEqual({ requests: 130, retries: 0, rateLimited: 0 });
  });
});
