// docs/growthbook-api.md §3: a fixed window from server start, counts per key, everything after auth counts. The window
// runs on a clock the tests move by hand: time passes only where a test says so.
import { afterEach, describe, expect, test } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js';
import { call, OTHER_ADMIN_KEY, READONLY_KEY, seed } from './helpers.js';

let emu: Emulator | undefined;
afterEach(() => emu?.close());

let now = 0;
const start = async (options: Partial<EmulatorOptions> = {}) => {
  now = 0;
  emu = await startEmulator({
    seed: seed(),
    rateLimit: { max: 5, windowMs: 1000 },
    now: () => now,
    ...options,
  });
  return emu;
};

const hit = async (url: string, times: number, key?: string) => {
  const out = [];
  for (let i = 0; i < times; i++) out.push(await call(url, '/api/v1/projects', key ? { key } : {}));
  return out;
};

describe('rate limit (§3)', () => {
  test('defaults to 60 per window', async () => {
    const { url } = await start({ rateLimit: undefined });
    const res = await call(url, '/api/v1/');
    expect([res.headers.get('ratelimit-limit'), res.headers.get('ratelimit-remaining')]).toEqual([
      '60',
      '59',
    ]);
  });

  test('every answered request carries RateLimit-Limit, -Remaining and -Reset', async () => {
    const { url } = await start();
    const answers = await hit(url, 5);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0']);
    expect(answers.every((a) => a.headers.get('ratelimit-limit') === '5')).toBe(true);
    expect(answers.every((a) => a.headers.get('ratelimit-reset') === '1')).toBe(true);
  });

  test('the request after max is 429 with the documented body and Retry-After', async () => {
    const { url } = await start();
    await hit(url, 5);
    const res = await call(url, '/api/v1/projects');
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ message: 'Too many requests, limit to 5 per minute' });
    expect([res.headers.get('retry-after'), res.headers.get('ratelimit-remaining')]).toEqual(['1', '0']);
  });

  test('no X-RateLimit-* or RateLimit-Policy headers', async () => {
    const { url } = await start();
    const res = await call(url, '/api/v1/');
    const names = [...res.headers.keys()];
    expect(names.filter((n) => n.startsWith('x-ratelimit') || n === 'ratelimit-policy')).toEqual([]);
  });

  test('Retry-After is the whole window, not the time left', async () => {
    const { url } = await start({ rateLimit: { max: 1, windowMs: 3000 } });
    await call(url, '/api/v1/');
    now += 1100;
    const res = await call(url, '/api/v1/');
    expect([res.status, res.headers.get('retry-after'), res.headers.get('ratelimit-reset')]).toEqual([
      429,
      '3',
      '2',
    ]);
  });

  test('over-limit requests keep being refused until the window resets', async () => {
    const { url } = await start({ rateLimit: { max: 2, windowMs: 600 } });
    const statuses = (await hit(url, 4)).map((a) => a.status);
    now += 650;
    statuses.push((await call(url, '/api/v1/projects')).status);
    expect(statuses).toEqual([200, 200, 429, 429, 200]);
  });

  test('404 and 400 answers count', async () => {
    const { url } = await start({ rateLimit: { max: 2, windowMs: 1000 } });
    await call(url, '/api/v1/nowhere');
    await call(url, '/api/v1/members?limit=0');
    expect((await call(url, '/api/v1/projects')).status).toBe(429);
  });

  test('auth failures are not counted and carry no rate-limit headers', async () => {
    const { url } = await start({ rateLimit: { max: 2, windowMs: 1000 } });
    const refused = await hit(url, 3, 'wrong');
    expect(refused.map((a) => [a.status, a.headers.get('ratelimit-limit')])).toEqual([
      [401, null],
      [401, null],
      [401, null],
    ]);
    expect((await hit(url, 2)).map((a) => a.status)).toEqual([200, 200]);
  });

  test('each key has its own count within the shared window', async () => {
    const { url } = await start({ rateLimit: { max: 2, windowMs: 1000 } });
    await hit(url, 3);
    expect((await hit(url, 2, OTHER_ADMIN_KEY)).map((a) => a.status)).toEqual([200, 200]);
  });

  test('a readonly key is limited like any other', async () => {
    const { url } = await start({ rateLimit: { max: 1, windowMs: 1000 } });
    expect((await hit(url, 2, READONLY_KEY)).map((a) => a.status)).toEqual([200, 429]);
  });
});
