import { afterEach, describe, expect, test } from 'vitest';
import { GrowthBookResponseError, PaginationError } from '../../src/growthbook/errors.js';
import {
  listedMember,
  members,
  pageOf,
  requestLog,
  type Seen,
  startServer,
  type TestServer,
  testClient,
} from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const ALL = members(250);
const TRAVERSAL = [
  'GET /api/v1/members?limit=100&offset=0',
  'GET /api/v1/members?limit=100&offset=100',
  'GET /api/v1/members?limit=100&offset=200',
];

type Page = ReturnType<typeof pageOf>;
/** Serves ALL, letting `tamper` spoil the page answered to request number `index`. */
const serveWith = (tamper: (page: Page, index: number, req: Seen) => Page) => (req: Seen, index: number) => ({
  body: tamper(pageOf(ALL, req.url), index, req),
});

describe('full traversal', () => {
  test('reads every page of 250 members with limit=100, in server order, as core Members', async () => {
    server = await startServer((req) => ({ body: pageOf(ALL, req.url) }));
    const { client } = testClient(server);
    const got = await client.listMembers();
    expect(requestLog(server)).toEqual(TRAVERSAL);
    expect(got).toHaveLength(250);
    expect(got.map((m) => m.id)).toEqual(ALL.map((m) => m.id));
    expect(got[0]).toEqual({
      id: 'u_0001',
      name: 'Person 0001',
      email: 'person0001@example.org',
      globalRole: 'noaccess',
      environments: [],
      limitAccessByEnvironment: false,
      projectRoles: [],
      managedbyIdp: false,
    });
  });

  test('the userEmail filter is passed as GrowthBook spells it, URL-encoded', async () => {
    const one = [listedMember(7, { email: 'Mixed.Case+x@Example.org' })];
    server = await startServer((req) => ({ body: pageOf(one, req.url) }));
    const { client } = testClient(server);
    const got = await client.listMembers({ userEmail: 'Mixed.Case+x@Example.org' });
    expect(got.map((m) => m.email)).toEqual(['Mixed.Case+x@Example.org']);
    const url = new URL(server.seen[0]?.url ?? '', 'http://x');
    expect(url.searchParams.get('userEmail')).toBe('Mixed.Case+x@Example.org');
    expect(url.searchParams.get('limit')).toBe('100');
  });

  test('an empty organization is one request and an empty list', async () => {
    server = await startServer((req) => ({ body: pageOf([], req.url) }));
    const { client } = testClient(server);
    expect(await client.listMembers()).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  test('exactly 100 members: one page, hasMore false', async () => {
    const hundred = members(100);
    server = await startServer((req) => ({ body: pageOf(hundred, req.url) }));
    const { client } = testClient(server);
    expect(await client.listMembers()).toHaveLength(100);
    expect(server.seen).toHaveLength(1);
  });
});

const failures: Array<[proves: string, tamper: (page: Page) => Page, says: RegExp]> = [
  [
    'total drift between pages',
    (p) => (p.offset === 100 ? { ...p, total: 251 } : p),
    /page at offset 100 reported total 251, the first page 250/,
  ],
  [
    'a duplicate id across pages',
    (p) => (p.offset === 100 ? { ...p, members: [ALL[99], ...p.members.slice(1)] } : p),
    /page at offset 100 repeated id u_0100/,
  ],
  [
    'a short page',
    (p) => (p.offset === 100 ? { ...p, members: p.members.slice(0, 90), count: 90 } : p),
    /page at offset 100 held 90 items where total 250 implies 100/,
  ],
  [
    'an incoherent nextOffset',
    (p) => (p.offset === 0 ? { ...p, nextOffset: 150 } : p),
    /page at offset 0 reported nextOffset 150, expected 100/,
  ],
  [
    'a count that disagrees with the array',
    (p) => (p.offset === 200 ? { ...p, count: 49 } : p),
    /page at offset 200 reported count 49 but held 50 items/,
  ],
  [
    'hasMore false before the end',
    (p) => (p.offset === 100 ? { ...p, hasMore: false, nextOffset: null } : p),
    /page at offset 100 reported hasMore false with total 250/,
  ],
  ['a page for another offset', (p) => (p.offset === 100 ? { ...p, offset: 0 } : p), /reported offset 0/],
];

describe('integrity: retried once from the start, then PaginationError', () => {
  for (const [proves, tamper, says] of failures) {
    test(proves, async () => {
      server = await startServer(serveWith((page) => tamper(page)));
      const { client } = testClient(server);
      const error = await client.listMembers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as Error).message).toMatch(says);
      expect((error as Error).message).toMatch(/^GET \/api\/v1\/members: inconsistent pagination: /);
      // Two traversals, each from offset 0, each stopping at the first inconsistency.
      const log = requestLog(server);
      const starts = log.filter((l) => l.endsWith('offset=0'));
      expect(starts).toHaveLength(2);
      expect(log[0]).toBe(TRAVERSAL[0]);
    });
  }

  test('drift on the first traversal only: success with the second traversal’s data', async () => {
    const renamed = ALL.map((m) => ({ ...m, name: `${m.name} (v2)` }));
    server = await startServer((req, index) => {
      if (index < 2) {
        const page = pageOf(ALL, req.url);
        return { body: index === 1 ? { ...page, total: 251 } : page };
      }
      return { body: pageOf(renamed, req.url) };
    });
    const { client } = testClient(server);
    const got = await client.listMembers();
    expect(requestLog(server)).toEqual([...TRAVERSAL.slice(0, 2), ...TRAVERSAL]);
    expect(got).toHaveLength(250);
    expect(got.every((m) => m.name?.endsWith('(v2)'))).toBe(true);
  });

  test('a member joining mid-traversal (everything shifts) is read again, not stitched', async () => {
    const joined = [listedMember(0), ...ALL];
    server = await startServer((req, index) => ({ body: pageOf(index === 0 ? ALL : joined, req.url) }));
    const { client } = testClient(server);
    const got = await client.listMembers();
    expect(got).toHaveLength(251);
    expect(new Set(got.map((m) => m.id)).size).toBe(251);
    expect(server.seen).toHaveLength(2 + 3);
  });
});

describe('malformed pages fail at once', () => {
  test('a page missing pagination fields: GrowthBookResponseError, no second traversal', async () => {
    server = await startServer(
      serveWith((page, index) => (index === 1 ? { members: page.members } : page) as Page),
    );
    const { client } = testClient(server);
    const error = await client.listMembers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookResponseError);
    expect((error as Error).message).toMatch(/offset=100 answered 200 with a malformed body: limit: /);
    expect(server.seen).toHaveLength(2);
  });

  test('a negative or fractional count is malformed, not inconsistent', async () => {
    server = await startServer(serveWith((page) => ({ ...page, count: 1.5 })));
    const { client } = testClient(server);
    await expect(client.listMembers()).rejects.toBeInstanceOf(GrowthBookResponseError);
    expect(server.seen).toHaveLength(1);
  });
});
