// docs/growthbook-api.md §1 routes and §2 authentication and permission.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { ADMIN_KEY, call, READONLY_KEY, seed, updateRole } from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ seed: seed() });
});
afterEach(() => emu.close());

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('authentication (§2)', () => {
  const cases: Array<[proves: string, authorization: string | null, status: number, message?: string]> = [
    ['no header is 400', null, 400, 'Missing Authorization header'],
    [
      'an unknown scheme is 400',
      `Token ${ADMIN_KEY}`,
      400,
      'Must use either a Bearer or Basic authentication scheme',
    ],
    [
      'the scheme is case-sensitive',
      `bearer ${ADMIN_KEY}`,
      400,
      'Must use either a Bearer or Basic authentication scheme',
    ],
    ['a scheme without a value is 400', 'Bearer', 400, 'Missing API key in Authorization header'],
    [
      'a doubled space leaves an empty value',
      `Bearer  ${ADMIN_KEY}`,
      400,
      'Missing API key in Authorization header',
    ],
    ['an unknown key is 401', 'Bearer secret_admin_nope', 401, 'Invalid API key'],
    ['an unknown Basic user is 401', basic('secret_admin_nope:'), 401, 'Invalid API key'],
    ['a three-segment Bearer is a JWT and fails', 'Bearer a.b.c', 401, 'Authentication failed'],
    ['Bearer with a known key passes', `Bearer ${ADMIN_KEY}`, 200],
    ['Basic with the key as user name passes', basic(`${ADMIN_KEY}:`), 200],
    ['Basic ignores the password', basic(`${ADMIN_KEY}:whatever`), 200],
    ['Basic without a colon passes', basic(ADMIN_KEY), 200],
  ];
  for (const [proves, authorization, status, message] of cases) {
    test(proves, async () => {
      const res = await call(emu.url, '/api/v1/', authorization === null ? { key: null } : { authorization });
      expect(res.status).toBe(status);
      if (message) expect(res.json).toEqual({ message });
    });
  }

  test('auth comes before the 404 handler', async () => {
    const res = await call(emu.url, '/api/v1/nowhere', { key: 'wrong' });
    expect([res.status, res.json.message]).toEqual([401, 'Invalid API key']);
  });
});

describe('routes (§1)', () => {
  test('GET /api/v1/ describes the API', async () => {
    const res = await call(emu.url, '/api/v1/');
    expect(res.json).toMatchObject({ name: 'GrowthBook API', apiVersion: 1, build: expect.any(Object) });
  });

  test('GET /api/ answers the same', async () => {
    expect((await call(emu.url, '/api/')).json.name).toBe('GrowthBook API');
  });

  const unknown: Array<[method: string, path: string]> = [
    ['GET', '/api/v1/members/u_alice'],
    ['PUT', '/api/v1/members/u_alice/role'],
    ['PATCH', '/api/v1/members/u_alice/role'],
    ['GET', '/api/v1/nowhere'],
  ];
  for (const [method, path] of unknown) {
    test(`${method} ${path} is the catch-all 404`, async () => {
      const res = await call(emu.url, path, { method });
      expect([res.status, res.json]).toEqual([404, { message: 'Unknown API endpoint' }]);
    });
  }

  test('paths match case-insensitively and with a trailing slash, as Express does', async () => {
    expect((await call(emu.url, '/API/v1/Members/')).status).toBe(200);
  });

  test('the OpenAPI route is public', async () => {
    const res = await call(emu.url, '/api/v1/openapi.yaml', { key: null });
    expect([res.status, res.json]).toEqual([500, { message: 'Unable to load OpenAPI spec' }]);
  });

  test('a path outside /api is not the API', async () => {
    const res = await call(emu.url, '/v1/members');
    expect([res.status, res.json]).toEqual([404, 'Cannot GET /v1/members']);
  });
});

describe('permission (§2, §8 step 4)', () => {
  const forbidden = { message: 'You do not have permission to perform this action' };

  test('a readonly key cannot list members', async () => {
    const res = await call(emu.url, '/api/v1/members', { key: READONLY_KEY });
    expect([res.status, res.json]).toEqual([403, forbidden]);
  });

  test('a readonly key cannot update a member', async () => {
    const res = await updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } }, READONLY_KEY);
    expect([res.status, res.json]).toEqual([403, forbidden]);
  });

  test('a readonly key cannot delete a member', async () => {
    const res = await call(emu.url, '/api/v1/members/u_alice', { method: 'DELETE', key: READONLY_KEY });
    expect([res.status, res.json]).toEqual([403, forbidden]);
  });

  test('validation comes before permission: an invalid body from a readonly key is 400', async () => {
    const res = await updateRole(emu.url, 'u_alice', { role: 'admin' }, READONLY_KEY);
    expect(res.status).toBe(400);
  });

  test('validation comes before permission: an invalid query from a readonly key is 400', async () => {
    const res = await call(emu.url, '/api/v1/members?limit=0', { key: READONLY_KEY });
    expect(res.status).toBe(400);
  });

  test('permission comes before the member lookup', async () => {
    const res = await updateRole(emu.url, 'u_nobody', { member: {} }, READONLY_KEY);
    expect(res.status).toBe(403);
  });

  test('a readonly key can list projects', async () => {
    expect((await call(emu.url, '/api/v1/projects', { key: READONLY_KEY })).status).toBe(200);
  });
});
