// Fault injection, the request log, the onRequest hook and the state mutators.
import { afterEach, describe, expect, test } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../helpers/test-emulator.js';
import { ADMIN_KEY, call, numberedMembers, seed, updateRole } from './helpers.js';

let emu: Emulator;
afterEach(() => emu.close());

const start = async (options: Partial<EmulatorOptions> = {}) => {
  emu = await startEmulator({ seed: seed(), ...options });
  return emu;
};

describe('faults', () => {
  test('a status fault answers once, then the server answers', async () => {
    const { url } = await start({ faults: [{ path: '/api/v1/members', status: 503 }] });
    const first = await call(url, '/api/v1/members');
    const second = await call(url, '/api/v1/members');
    expect([first.status, first.json, second.status]).toEqual([503, { message: 'Service Unavailable' }, 200]);
  });

  test('times, body and headers are honoured', async () => {
    const { url } = await start({
      faults: [{ status: 429, times: 2, body: { message: 'slow down' }, headers: { 'Retry-After': '7' } }],
    });
    const answers = [await call(url, '/api/v1/'), await call(url, '/api/v1/'), await call(url, '/api/v1/')];
    expect(answers.map((a) => [a.status, a.headers.get('retry-after')])).toEqual([
      [429, '7'],
      [429, '7'],
      [200, null],
    ]);
    expect(answers[0]?.json).toEqual({ message: 'slow down' });
  });

  test('method and path prefix select the request', async () => {
    const { url } = await start({ faults: [{ method: 'POST', path: '/api/v1/members/', status: 500 }] });
    const get = await call(url, '/api/v1/members');
    const post = await updateRole(url, 'u_alice', { member: {} });
    expect([get.status, post.status]).toEqual([200, 500]);
  });

  test('a RegExp is tested against the path with its query', async () => {
    const { url } = await start({ faults: [{ path: /offset=10/, status: 502 }] });
    const first = await call(url, '/api/v1/members?offset=0');
    const second = await call(url, '/api/v1/members?offset=10');
    expect([first.status, second.status]).toEqual([200, 502]);
  });

  test('drop closes the connection without an answer', async () => {
    const { url } = await start({ faults: [{ drop: true }] });
    await expect(call(url, '/api/v1/')).rejects.toThrow();
    expect(emu.requests.map((r) => [r.status, r.intercepted])).toEqual([[0, true]]);
  });

  test('malformed answers 200 with a body that is not JSON', async () => {
    const { url } = await start({ faults: [{ malformed: true }] });
    const res = await fetch(`${url}/api/v1/members`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  test('a delay-only fault delays, then the server answers', async () => {
    const { url } = await start({ faults: [{ delayMs: 150 }] });
    const t0 = Date.now();
    const res = await call(url, '/api/v1/');
    expect([res.status, Date.now() - t0 >= 140]).toEqual([200, true]);
  });

  test('addFault at run time; clearFaults removes pending ones', async () => {
    const { url } = await start();
    emu.addFault({ status: 500, times: Number.POSITIVE_INFINITY });
    const faulted = await call(url, '/api/v1/');
    emu.clearFaults();
    expect([faulted.status, (await call(url, '/api/v1/')).status]).toEqual([500, 200]);
  });

  test('an injected answer is not counted by the rate limiter', async () => {
    const { url } = await start({
      rateLimit: { max: 1, windowMs: 5000 },
      faults: [{ status: 503, times: 3 }],
    });
    for (let i = 0; i < 3; i++) await call(url, '/api/v1/');
    expect((await call(url, '/api/v1/')).status).toBe(200);
  });
});

describe('request log', () => {
  test('records method, path, query, status, parsed body and user agent', async () => {
    const { url } = await start();
    await call(url, '/api/v1/members?limit=5&userEmail=a%40b.org');
    await updateRole(url, 'u_alice', { member: { role: 'readonly' } });
    expect(emu.requests).toEqual([
      {
        method: 'GET',
        path: '/api/v1/members',
        query: { limit: '5', userEmail: 'a@b.org' },
        status: 200,
        at: expect.any(Number),
        body: undefined,
        userAgent: 'emulator-test/1',
        intercepted: false,
      },
      expect.objectContaining({
        method: 'POST',
        path: '/api/v1/members/u_alice/role',
        status: 200,
        body: { member: { role: 'readonly' } },
      }),
    ]);
  });

  test('also records refused requests, and never the credential', async () => {
    const { url } = await start();
    await call(url, '/api/v1/', { key: 'secret_wrong_key' });
    await call(url, '/api/v1/');
    expect(emu.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(JSON.stringify(emu.requests)).not.toMatch(/secret_/);
  });

  test('arrival times are in order', async () => {
    const { url } = await start();
    await call(url, '/api/v1/');
    await call(url, '/api/v1/');
    const [a, b] = emu.requests;
    expect((b?.at ?? 0) >= (a?.at ?? 0)).toBe(true);
  });

  test('resetRequests empties it', async () => {
    const { url } = await start();
    await call(url, '/api/v1/');
    emu.resetRequests();
    expect(emu.requests).toEqual([]);
  });
});

describe('onRequest hook and mutators', () => {
  test('onRequest runs before handling, so a test can change members between two pages', async () => {
    const { url } = await start({ seed: seed({ members: numberedMembers(6) }) });
    emu.setOnRequest((req) => {
      if (req.query.offset === '3') emu.removeMember('u_000');
    });
    const first = (await call(url, '/api/v1/members?limit=3&offset=0')).json;
    const second = (await call(url, '/api/v1/members?limit=3&offset=3')).json;
    // u_003 slid onto the first page and is never seen: the drift a client must detect.
    expect([first.total, second.total]).toEqual([6, 5]);
    expect(second.members.map((m: { id: string }) => m.id)).toEqual(['u_004', 'u_005']);
  });

  test('setMember adds or replaces, removeMember removes, members() is the full list', async () => {
    await start();
    emu.setMember({ id: 'u_erin', email: 'erin@example.org', globalRole: 'readonly' });
    emu.setMember({ id: 'u_bob', email: 'bob@example.org', globalRole: 'admin' });
    emu.removeMember('u_carol');
    expect(emu.members().map((m) => [m.id, m.globalRole])).toEqual([
      ['u_alice', 'noaccess'],
      ['u_bob', 'admin'],
      ['u_dave', 'readonly'],
      ['u_erin', 'readonly'],
    ]);
  });

  test('members() equals what the API lists', async () => {
    const { url } = await start();
    expect((await call(url, '/api/v1/members?limit=100')).json.members).toEqual(emu.members());
  });

  test('member(id) is undefined for an absent member or one without a user document', async () => {
    await start();
    expect([emu.member('u_nobody'), emu.member('u_ghost')]).toEqual([undefined, undefined]);
  });
});

describe('body parser (§1)', () => {
  test('malformed JSON is 400 with a status key, before auth', async () => {
    const { url } = await start();
    const res = await call(url, '/api/v1/members/u_alice/role', {
      method: 'POST',
      key: null,
      rawBody: '{"member":',
    });
    expect([res.status, res.json.status, typeof res.json.message]).toEqual([400, 400, 'string']);
  });

  test('a JSON scalar is refused (strict)', async () => {
    const { url } = await start();
    const res = await call(url, '/api/v1/members/u_alice/role', { method: 'POST', rawBody: '"member"' });
    expect([res.status, res.json.status]).toEqual([400, 400]);
  });

  test('a body that is not sent as JSON is not parsed', async () => {
    const { url } = await start();
    const res = await call(url, '/api/v1/members/u_alice/role', {
      method: 'POST',
      rawBody: '{"member":{}}',
      contentType: 'text/plain',
    });
    expect(res.json.message).toBe(
      'Request body: [member] Invalid input: expected object, received undefined',
    );
  });

  test('an empty JSON body is {}', async () => {
    const { url } = await start();
    const res = await call(url, '/api/v1/members/u_alice/role', { method: 'POST', rawBody: '' });
    expect(res.json.message).toBe(
      'Request body: [member] Invalid input: expected object, received undefined',
    );
  });
});
