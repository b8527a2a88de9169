import { afterEach, describe, expect, test } from 'vitest';
import { DeadlineError } from '../../src/errors.js';
import { systemClock } from '../../src/util/clock.js';
import { createDeadline } from '../../src/util/deadline.js';
import { fakeClock, startServer, type TestServer, testClient } from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const INFO = { name: 'GrowthBook API', apiVersion: 1 };
const UPDATE = { role: 'noaccess', environments: [], projectRoles: [] };

describe('run deadline', () => {
  test('a Retry-After that would cross the deadline ends the run without a second request', async () => {
    server = await startServer(() => ({
      status: 429,
      headers: { 'Retry-After': '60' },
      body: { message: 'Too many' },
    }));
    const clock = fakeClock();
    const { client } = testClient(server, { clock, deadline: createDeadline(10, clock) });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toMatch(/waiting 60s before retry of GET \/api\/v1\//);
    expect(server.seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('the same for a write refused with 429', async () => {
    server = await startServer(() => ({
      status: 429,
      headers: { 'Retry-After': '60' },
      body: { message: 'Too many' },
    }));
    const clock = fakeClock();
    const { client } = testClient(server, { clock, deadline: createDeadline(30, clock) });
    await expect(client.updateMemberRole('u_1', UPDATE)).rejects.toBeInstanceOf(DeadlineError);
    expect(server.seen).toHaveLength(1);
  });

  test('a backoff that would cross the deadline stops before sleeping', async () => {
    server = await startServer(() => ({ status: 503, body: { message: 'down' } }));
    const clock = fakeClock();
    const { client } = testClient(server, { clock, retryBaseMs: 5_000, deadline: createDeadline(2, clock) });
    await expect(client.info()).rejects.toBeInstanceOf(DeadlineError);
    expect(server.seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('a passed deadline is checked before any request', async () => {
    server = await startServer(() => ({ body: INFO }));
    const clock = fakeClock();
    const deadline = createDeadline(1, clock);
    clock.advance(1_000);
    const { client } = testClient(server, { clock, deadline });
    const error = await client.listMembers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe(
      'run deadline reached before GET /api/v1/members?limit=100&offset=0',
    );
    expect(server.seen).toHaveLength(0);
  });

  test('a pacing wait that would cross the deadline is not started', async () => {
    server = await startServer(() => ({ body: INFO }));
    const clock = fakeClock();
    const { client } = testClient(server, {
      clock,
      requestsPerMinute: 5,
      deadline: createDeadline(30, clock),
    });
    for (let i = 0; i < 5; i += 1) await client.info();
    await expect(client.info()).rejects.toBeInstanceOf(DeadlineError);
    expect(server.seen).toHaveLength(5);
    expect(clock.sleeps).toEqual([]);
  });

  test('waiting for the server rate-limit reset respects the deadline', async () => {
    server = await startServer(() => ({
      headers: { 'RateLimit-Remaining': '0', 'RateLimit-Reset': '50' },
      body: INFO,
    }));
    const clock = fakeClock();
    const { client } = testClient(server, { clock, deadline: createDeadline(20, clock) });
    await client.info();
    await expect(client.info()).rejects.toThrow(/server rate-limit window/);
    expect(server.seen).toHaveLength(1);
  });

  test('a read in flight at the deadline is cut there, not at requestTimeoutMs', async () => {
    server = await startServer(() => ({ hang: true }));
    const { client } = testClient(server, { clock: systemClock, deadline: createDeadline(1, systemClock) });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe('run deadline reached during GET /api/v1/');
    expect(server.seen).toHaveLength(1);
  });
});
