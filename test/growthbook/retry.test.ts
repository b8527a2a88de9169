import { afterEach, describe, expect, test } from 'vitest';
import { GrowthBookHttpError, GrowthBookNetworkError } from '../../src/growthbook/errors.js';
import {
  backoffMs,
  MAX_BACKOFF_MS,
  rateLimitState,
  retryAfterMs,
} from '../../src/growthbook/retry-timing.js';
import { startServer, type TestServer, testClient } from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const INFO = { name: 'GrowthBook API', apiVersion: 1 };
const UPDATE = { role: 'noaccess', environments: [], projectRoles: [] };
const UPDATED = {
  updatedMember: { id: 'u_1', role: 'noaccess', environments: [], limitAccessByEnvironment: false },
};
const tooMany = (retryAfter = '60') => ({
  status: 429,
  headers: { 'Retry-After': retryAfter },
  body: { message: 'Too many requests, limit to 60 per minute' },
});

describe('429', () => {
  test('Retry-After is waited in full when it exceeds the backoff', async () => {
    server = await startServer((_r, i) => (i === 0 ? tooMany('30') : { body: INFO }));
    const { client, clock } = testClient(server, { retryBaseMs: 1000 });
    expect(await client.info()).toEqual(INFO);
    expect(clock.sleeps).toEqual([30_000]);
    expect(server.seen).toHaveLength(2);
  });

  test('Retry-After is a floor: a longer backoff wins', async () => {
    server = await startServer((_r, i) => (i === 0 ? tooMany('2') : { body: INFO }));
    const { client, clock } = testClient(server, { retryBaseMs: 10_000 });
    await client.info();
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(5_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(10_000);
  });

  test('a POST refused with 429 is retried (it never ran)', async () => {
    server = await startServer((_r, i) => (i === 0 ? tooMany('1') : { body: UPDATED }));
    const { client } = testClient(server);
    expect((await client.updateMemberRole('u_1', UPDATE)).id).toBe('u_1');
    expect(server.seen.map((s) => s.method)).toEqual(['POST', 'POST']);
  });

  test('429 until retries run out ends in a GrowthBookHttpError 429', async () => {
    server = await startServer(() => tooMany('1'));
    const { client, clock } = testClient(server, { maxRetries: 2 });
    const error = await client.updateMemberRole('u_1', UPDATE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookHttpError);
    expect((error as Error).message).toMatch(
      /^POST \/api\/v1\/members\/u_1\/role answered 429 after 3 attempts: Too many/,
    );
    expect(server.seen).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    expect(client.stats()).toEqual({ requests: 3, retries: 2, rateLimited: 3 });
  });

  test('a Retry-After beyond five minutes is not waited for', async () => {
    server = await startServer(() => tooMany('3600'));
    const { client, clock } = testClient(server);
    await expect(client.info()).rejects.toMatchObject({ status: 429 });
    expect(server.seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('5xx', () => {
  test('a GET is retried up to maxRetries with growing backoff, then fails', async () => {
    server = await startServer(() => ({ status: 503, body: { message: 'Service Unavailable' } }));
    const { client, clock } = testClient(server, { maxRetries: 3, retryBaseMs: 1000 });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookHttpError);
    expect(error).toMatchObject({ status: 503, attempts: 4 });
    expect((error as Error).message).toBe('GET /api/v1/ answered 503 after 4 attempts: Service Unavailable');
    expect(server.seen).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(3);
    clock.sleeps.forEach((ms, i) => {
      const ceiling = 1000 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
  });

  test('a GET that recovers returns the good answer', async () => {
    server = await startServer((_r, i) =>
      i < 2 ? { status: 502, body: '<html>bad gateway</html>' } : { body: INFO },
    );
    const { client } = testClient(server);
    expect(await client.info()).toEqual(INFO);
    expect(client.stats()).toEqual({ requests: 3, retries: 2, rateLimited: 0 });
  });

  test('maxRetries 0 means one attempt', async () => {
    server = await startServer(() => ({ status: 500, body: { message: 'boom' } }));
    const { client } = testClient(server, { maxRetries: 0 });
    await expect(client.info()).rejects.toThrow('GET /api/v1/ answered 500: boom');
    expect(server.seen).toHaveLength(1);
  });

  test('a POST answered 500 is not retried: its outcome is unknown', async () => {
    server = await startServer(() => ({ status: 500, body: { message: 'boom' } }));
    const { client, clock } = testClient(server);
    await expect(client.updateMemberRole('u_1', UPDATE)).rejects.toMatchObject({ status: 500, attempts: 1 });
    expect(server.seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('network errors and timeouts', () => {
  test('a GET whose connection is cut is retried', async () => {
    server = await startServer((_r, i) => (i === 0 ? { destroy: true } : { body: INFO }));
    const { client } = testClient(server);
    expect(await client.info()).toEqual(INFO);
    expect(server.seen).toHaveLength(2);
  });

  test('a POST whose connection is cut is not retried', async () => {
    server = await startServer(() => ({ destroy: true }));
    const { client } = testClient(server);
    const error = await client.updateMemberRole('u_1', UPDATE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookNetworkError);
    expect((error as Error).message).toMatch(/^POST \/api\/v1\/members\/u_1\/role failed on attempt 1: /);
    expect(server.seen).toHaveLength(1);
  });

  test('connection refused, after every retry', async () => {
    server = await startServer(() => ({ body: INFO }));
    const url = server.url;
    await server.close();
    const { client, clock } = testClient(server, { baseUrl: url, maxRetries: 2 });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookNetworkError);
    expect((error as Error).message).toMatch(
      /^GET \/api\/v1\/ failed on attempt 3: fetch failed: .*ECONNREFUSED/,
    );
    expect(clock.sleeps).toHaveLength(2);
  });

  test('each attempt times out after requestTimeoutMs; a GET is retried', async () => {
    server = await startServer(() => ({ hang: true }));
    // A second per attempt: long enough that a busy machine still delivers each request to the
    // server before the client gives up on it.
    const { client } = testClient(server, { requestTimeoutMs: 1_000, maxRetries: 1 });
    const started = performance.now();
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookNetworkError);
    expect(error).toMatchObject({ timedOut: true, attempts: 2 });
    expect((error as Error).message).toBe(
      'GET /api/v1/ failed on attempt 2: no complete answer within 1000 ms',
    );
    expect(server.seen).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  test('a POST that times out is not retried', async () => {
    server = await startServer(() => ({ hang: true }));
    const { client } = testClient(server, { requestTimeoutMs: 1_000 });
    await expect(client.updateMemberRole('u_1', UPDATE)).rejects.toMatchObject({
      timedOut: true,
      attempts: 1,
    });
    expect(server.seen).toHaveLength(1);
  });
});

describe('retry timing (pure)', () => {
  test('equal jitter: between half and all of base·2^(n−1), capped', () => {
    expect(backoffMs(1, 1000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(3000);
    expect(backoffMs(20, 1000, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  test('Retry-After: seconds, HTTP date, garbage', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const h = (v: string) => new Headers({ 'Retry-After': v });
    expect(retryAfterMs(h('60'), now)).toBe(60_000);
    expect(retryAfterMs(h('1.5'), now)).toBe(1_500);
    expect(retryAfterMs(h('Thu, 01 Jan 2026 12:00:30 GMT'), now)).toBe(30_000);
    expect(retryAfterMs(h('Thu, 01 Jan 2026 11:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(h('soon'), now)).toBeNull();
    expect(retryAfterMs(new Headers(), now)).toBeNull();
  });

  test('RateLimit headers', () => {
    expect(
      rateLimitState(
        new Headers({ 'RateLimit-Limit': '60', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '23' }),
        0,
        60_000,
      ),
    ).toEqual({
      limit: 60,
      remaining: 0,
      resetMs: 23_000,
    });
    expect(rateLimitState(new Headers({ 'RateLimit-Remaining': '4' }), 0, 60_000)).toEqual({
      limit: null,
      remaining: 4,
      resetMs: null,
    });
    expect(rateLimitState(new Headers(), 0, 60_000)).toBeNull();
    expect(rateLimitState(new Headers({ 'RateLimit-Remaining': '' }), 0, 60_000)).toBeNull();
  });
});
