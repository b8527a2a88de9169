// docs/growthbook-api.md §4 query validation, §5 pagination, §7 listMembers.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { alice, call, numberedMembers, seed } from './helpers.js';

let emu: Emulator;
afterEach(() => emu.close());

describe('member shape and membership (§7)', () => {
  beforeEach(async () => {
    emu = await startEmulator({ seed: seed() });
  });

  test('a member is listed with globalRole, managedbyIdp and its saved rules', async () => {
    const res = await call(emu.url, `/api/v1/members?userEmail=${alice.email}`);
    expect(res.json.members).toEqual([
      {
        id: 'u_alice',
        name: 'Alice',
        email: 'alice@example.org',
        globalRole: 'noaccess',
        teams: ['team_1'],
        environments: [],
        limitAccessByEnvironment: false,
        additionalRoles: [],
        projectRoles: [
          {
            project: 'prj_a',
            role: 'readonly',
            limitAccessByEnvironment: false,
            environments: [],
            additionalRoles: [],
          },
          {
            project: 'prj_b',
            role: 'engineer',
            limitAccessByEnvironment: true,
            environments: ['production'],
            additionalRoles: [],
          },
        ],
        lastLoginDate: '2026-08-01T09:15:02.000Z',
        dateCreated: '2025-01-02T03:04:05.000Z',
        managedbyIdp: false,
      },
    ]);
  });

  test('a missing name is "" and absent optional fields are omitted', async () => {
    const [dave] = (await call(emu.url, '/api/v1/members?userEmail=dave@example.org')).json.members;
    expect(dave).toEqual({
      id: 'u_dave',
      name: '',
      email: 'dave@example.org',
      globalRole: 'readonly',
      environments: [],
      limitAccessByEnvironment: false,
      dateCreated: expect.any(String),
      managedbyIdp: true,
    });
  });

  test('members are sorted by id whatever the stored order', async () => {
    const res = await call(emu.url, '/api/v1/members');
    expect(res.json.members.map((m: { id: string }) => m.id)).toEqual([
      'u_alice',
      'u_bob',
      'u_carol',
      'u_dave',
    ]);
  });

  test('a member without a user document is dropped and not counted', async () => {
    const res = await call(emu.url, '/api/v1/members');
    expect([res.json.total, res.json.members.some((m: { id: string }) => m.id === 'u_ghost')]).toEqual([
      4,
      false,
    ]);
  });

  const filters: Array<[proves: string, query: string, ids: string[]]> = [
    ['userEmail is exact', 'userEmail=Bob@Example.org', ['u_bob']],
    ['userEmail is case-sensitive', 'userEmail=bob@example.org', []],
    ['userName is exact', 'userName=Carol', ['u_carol']],
    ['userName is case-sensitive', 'userName=carol', []],
    ['an empty userName matches only empty names', 'userName=', ['u_dave']],
    ['globalRole filters on the global role only', 'globalRole=readonly', ['u_dave']],
    ['globalRole ignores project roles', 'globalRole=engineer', ['u_bob']],
    ['filters AND together', 'globalRole=admin&userName=Bob', []],
  ];
  for (const [proves, query, ids] of filters) {
    test(proves, async () => {
      const res = await call(emu.url, `/api/v1/members?${query}`);
      expect(res.json.members.map((m: { id: string }) => m.id)).toEqual(ids);
    });
  }

  test('a filter also narrows total', async () => {
    expect((await call(emu.url, '/api/v1/members?globalRole=admin')).json.total).toBe(1);
  });
});

describe('pagination (§5)', () => {
  beforeEach(async () => {
    emu = await startEmulator({ seed: seed({ members: numberedMembers(25).reverse() }) });
  });

  const page = async (query: string) => {
    const { members, ...fields } = (await call(emu.url, `/api/v1/members${query}`)).json;
    return { ids: members.map((m: { id: string }) => m.id), fields };
  };

  test('default limit is 10 and offset 0', async () => {
    const { ids, fields } = await page('');
    expect(ids[0]).toBe('u_000');
    expect(fields).toEqual({ limit: 10, offset: 0, count: 10, total: 25, hasMore: true, nextOffset: 10 });
  });

  test('the last page has hasMore false and nextOffset null', async () => {
    const { ids, fields } = await page('?limit=10&offset=20');
    expect(ids).toEqual(['u_020', 'u_021', 'u_022', 'u_023', 'u_024']);
    expect(fields).toEqual({ limit: 10, offset: 20, count: 5, total: 25, hasMore: false, nextOffset: null });
  });

  test('a page ending exactly at total has no more', async () => {
    const { fields } = await page('?limit=5&offset=20');
    expect([fields.hasMore, fields.nextOffset]).toEqual([false, null]);
  });

  test('an offset past the end is an empty page', async () => {
    const { ids, fields } = await page('?offset=30');
    expect(ids).toEqual([]);
    expect(fields).toEqual({ limit: 10, offset: 30, count: 0, total: 25, hasMore: false, nextOffset: null });
  });

  test('limit 100 is allowed', async () => {
    expect((await page('?limit=100')).fields.count).toBe(25);
  });

  test('walking nextOffset visits every member once, in id order', async () => {
    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const { ids, fields } = await page(`?limit=7&offset=${offset}`);
      seen.push(...ids);
      offset = fields.nextOffset;
    }
    expect(seen).toEqual(numberedMembers(25).map((m) => m.id));
  });
});

describe('query validation (§4)', () => {
  beforeEach(async () => {
    emu = await startEmulator({ seed: seed() });
  });

  const cases: Array<[query: string, message: string]> = [
    ['limit=0', 'Querystring: [limit] Too small: expected number to be >=1'],
    ['limit=', 'Querystring: [limit] Too small: expected number to be >=1'],
    ['limit=101', 'Querystring: [limit] Too big: expected number to be <=100'],
    ['limit=abc', 'Querystring: [limit] Invalid input: expected number, received NaN'],
    ['limit=1.5', 'Querystring: [limit] Invalid input: expected int, received number'],
    ['offset=-1', 'Querystring: [offset] Too small: expected number to be >=0'],
    ['foo=1', 'Querystring: [] Unrecognized key: "foo"'],
    ['skipPagination=true', 'Querystring: [] Unrecognized key: "skipPagination"'],
    ['userName=a&userName=b', 'Querystring: [userName] Invalid input: expected string, received array'],
    [
      'limit=0&offset=-1',
      'Querystring: [limit] Too small: expected number to be >=1, [offset] Too small: expected number to be >=0',
    ],
  ];
  for (const [query, message] of cases) {
    test(`?${query} is 400: ${message}`, async () => {
      const res = await call(emu.url, `/api/v1/members?${query}`);
      expect([res.status, res.json]).toEqual([400, { message }]);
    });
  }
});
