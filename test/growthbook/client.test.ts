import { afterEach, describe, expect, test } from 'vitest';
import { createGrowthBookClient } from '../../src/growthbook/client.js';
import { GrowthBookHttpError, GrowthBookResponseError } from '../../src/growthbook/errors.js';
import { USER_AGENT } from '../../src/version.js';
import { CANARY_KEY, listedMember, requestLog, startServer, type TestServer, testClient } from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

describe('identity headers', () => {
  test('sends the key as a Bearer token by default, with our User-Agent and JSON Accept', async () => {
    server = await startServer(() => ({ body: { name: 'GrowthBook API', apiVersion: 1, build: {} } }));
    const { client } = testClient(server);
    expect(await client.info()).toEqual({ name: 'GrowthBook API', apiVersion: 1 });
    const [req] = server.seen;
    expect(req?.url).toBe('/api/v1/');
    expect(req?.headers.authorization).toBe(`Bearer ${CANARY_KEY}`);
    expect(req?.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^growthbook-ldap-sync\/\d+\.\d+\.\d+/);
    expect(req?.headers.accept).toBe('application/json');
  });

  test('basic auth sends base64("key:"): the key as user name, empty password', async () => {
    server = await startServer(() => ({ body: { name: 'GrowthBook API', apiVersion: 1 } }));
    const { client } = testClient(server, { authScheme: 'basic' });
    await client.info();
    const header = server.seen[0]?.headers.authorization ?? '';
    expect(header).toBe(`Basic ${Buffer.from(`${CANARY_KEY}:`).toString('base64')}`);
    expect(Buffer.from(header.slice('Basic '.length), 'base64').toString()).toBe(`${CANARY_KEY}:`);
  });

  test('a trailing slash on the base URL does not double the slash', async () => {
    server = await startServer(() => ({ body: { environments: [] } }));
    const { client } = testClient(server, { baseUrl: `${server.url}//` });
    await client.listEnvironments();
    expect(requestLog(server)).toEqual(['GET /api/v1/environments']);
  });
});

describe('typed endpoints', () => {
  test('getProject URL-encodes the id and returns id and name', async () => {
    server = await startServer(() => ({
      body: {
        project: {
          id: 'prj_a/b',
          name: 'Checkout',
          description: '',
          dateCreated: '2024-05-02T10:00:00.000Z',
          dateUpdated: '2025-01-09T08:30:00.000Z',
          settings: { statsEngine: 'bayesian' },
        },
      },
    }));
    const { client } = testClient(server);
    expect(await client.getProject('prj_a/b')).toEqual({ id: 'prj_a/b', name: 'Checkout' });
    expect(requestLog(server)).toEqual(['GET /api/v1/projects/prj_a%2Fb']);
  });

  test('listEnvironments returns the ids', async () => {
    server = await startServer(() => ({
      body: {
        environments: [
          { id: 'production', description: '', toggleOnList: true, defaultState: true, projects: [] },
          { id: 'staging', description: 'x', toggleOnList: false, defaultState: false, projects: ['prj_1'] },
        ],
      },
    }));
    const { client } = testClient(server);
    expect(await client.listEnvironments()).toEqual([{ id: 'production' }, { id: 'staging' }]);
  });

  test('updateMemberRole POSTs {"member": …} with exactly the RoleUpdate fields', async () => {
    server = await startServer(() => ({
      body: {
        updatedMember: {
          id: 'u_1 2',
          role: 'noaccess',
          environments: [],
          limitAccessByEnvironment: false,
          projectRoles: [
            { project: 'prj_m', role: 'readonly', environments: [], limitAccessByEnvironment: false },
          ],
        },
      },
    }));
    const { client } = testClient(server);
    const update = {
      role: 'noaccess',
      environments: [],
      projectRoles: [
        {
          project: 'prj_other',
          role: 'engineer',
          environments: ['production'],
          limitAccessByEnvironment: true,
        },
        { project: 'prj_m', role: 'readonly', environments: [] },
      ],
      additionalRoles: [],
      globalRole: 'admin', // not part of RoleUpdate: must not reach the wire
    };
    const updated = await client.updateMemberRole('u_1 2', update);
    expect(updated.role).toBe('noaccess');
    const [req] = server.seen;
    expect(`${req?.method} ${req?.url}`).toBe('POST /api/v1/members/u_1%202/role');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      member: {
        role: 'noaccess',
        environments: [],
        projectRoles: [
          {
            project: 'prj_other',
            role: 'engineer',
            environments: ['production'],
            limitAccessByEnvironment: true,
          },
          { project: 'prj_m', role: 'readonly', environments: [] },
        ],
        additionalRoles: [],
      },
    });
  });

  test('updateMemberRole leaves additionalRoles out when the caller does', async () => {
    server = await startServer(() => ({
      body: {
        updatedMember: { id: 'u_1', role: 'noaccess', environments: [], limitAccessByEnvironment: false },
      },
    }));
    const { client } = testClient(server);
    await client.updateMemberRole('u_1', { role: 'noaccess', environments: [], projectRoles: [] });
    expect(JSON.parse(server.seen[0]?.body ?? '')).toEqual({
      member: { role: 'noaccess', environments: [], projectRoles: [] },
    });
  });

  test('an invalid role update is refused before anything is sent', async () => {
    server = await startServer(() => ({ body: {} }));
    const { client } = testClient(server);
    const bad = { role: '', environments: [], projectRoles: [] };
    await expect(client.updateMemberRole('u_1', bad)).rejects.toThrow(TypeError);
    expect(server.seen).toHaveLength(0);
  });

  test('the client has no way to delete a member or send an arbitrary request', () => {
    const client = createGrowthBookClient({ baseUrl: 'http://127.0.0.1:9', apiKey: CANARY_KEY });
    expect(Object.keys(client).sort()).toEqual([
      'getProject',
      'info',
      'listEnvironments',
      'listMembers',
      'paced',
      'stats',
      'updateMemberRole',
    ]);
  });
});

describe('HTTP errors', () => {
  for (const status of [401, 403]) {
    test(`${status} is not retried and carries the key hint`, async () => {
      server = await startServer(() => ({
        status,
        body: { message: 'You do not have permission to perform this action' },
      }));
      const { client } = testClient(server);
      const error = await client.listMembers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrowthBookHttpError);
      expect(error).toMatchObject({ status, method: 'GET', path: '/api/v1/members?limit=100&offset=0' });
      expect((error as Error).message).toBe(
        `GET /api/v1/members?limit=100&offset=0 answered ${status}: You do not have permission to perform this action; ` +
          'the API key must be a secret key with the admin role (member endpoints need the global manageTeam permission)',
      );
      expect(server.seen).toHaveLength(1);
    });
  }

  test('400 surfaces the server message and is not retried', async () => {
    const message = 'readonly does not support restricting access to certain environments.';
    server = await startServer(() => ({ status: 400, body: { message } }));
    const { client } = testClient(server);
    const error = await client
      .updateMemberRole('u_1', { role: 'readonly', environments: ['production'], projectRoles: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookHttpError);
    expect(error).toMatchObject({ status: 400, serverMessage: message });
    expect((error as Error).message).toBe(`POST /api/v1/members/u_1/role answered 400: ${message}`);
    expect(server.seen).toHaveLength(1);
  });

  test('404 is not retried', async () => {
    server = await startServer(() => ({ status: 404, body: { message: 'Unknown API endpoint' } }));
    const { client } = testClient(server);
    await expect(client.info()).rejects.toThrow('GET /api/v1/ answered 404: Unknown API endpoint');
    expect(server.seen).toHaveLength(1);
  });

  test('a non-JSON error page is reported as a short excerpt', async () => {
    server = await startServer(() => ({
      status: 418,
      headers: { 'Content-Type': 'text/html' },
      body: `<html>\n<body>teapot ${'x'.repeat(1000)}</body></html>`,
    }));
    const { client } = testClient(server);
    const error = (await client.info().catch((e: unknown) => e)) as GrowthBookHttpError;
    expect(error.serverMessage?.startsWith('<html> <body>teapot xxx')).toBe(true);
    expect(error.message.length).toBeLessThan(400);
  });

  test('a redirect is not followed', async () => {
    server = await startServer(() => ({
      status: 301,
      headers: { Location: 'http://elsewhere.invalid/' },
      body: '',
    }));
    const { client } = testClient(server);
    await expect(client.info()).rejects.toThrow(/answered 301.*redirects are not followed/);
    expect(server.seen).toHaveLength(1);
  });
});

describe('malformed bodies', () => {
  test('invalid JSON on a 200 is a GrowthBookResponseError naming the endpoint, not retried', async () => {
    server = await startServer(() => ({ body: '{"members": [' }));
    const { client } = testClient(server);
    const error = await client.listMembers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookResponseError);
    expect((error as Error).message).toBe(
      'GET /api/v1/members?limit=100&offset=0 answered 200 with a malformed body: not JSON (body starts "{\\"members\\": [")',
    );
    expect(server.seen).toHaveLength(1);
  });

  test('a body of the wrong shape says which field is wrong', async () => {
    server = await startServer(() => ({
      body: {
        members: [listedMember(1, { email: 42 })],
        limit: 100,
        offset: 0,
        count: 1,
        total: 1,
        hasMore: false,
        nextOffset: null,
      },
    }));
    const { client } = testClient(server);
    const error = await client.listMembers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrowthBookResponseError);
    expect((error as Error).message).toContain(
      'members.0.email: Invalid input: expected string, received number',
    );
    expect(server.seen).toHaveLength(1);
  });

  test('an updatedMember of the wrong shape is a GrowthBookResponseError', async () => {
    server = await startServer(() => ({ body: { updatedMember: { id: 'u_1' } } }));
    const { client } = testClient(server);
    await expect(
      client.updateMemberRole('u_1', { role: 'noaccess', environments: [], projectRoles: [] }),
    ).rejects.toThrow(
      /POST \/api\/v1\/members\/u_1\/role answered 200 with a malformed body: updatedMember.role/,
    );
  });
});

describe('events and stats', () => {
  test('onRequest reports each attempt without headers; stats count requests, retries, 429s', async () => {
    server = await startServer((_req, i) =>
      i === 0
        ? { status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Too many requests' } }
        : { body: { name: 'GrowthBook API', apiVersion: 1 } },
    );
    const events: unknown[] = [];
    const { client } = testClient(server, { onRequest: (e) => events.push(e) });
    await client.info();
    expect(events).toEqual([
      { method: 'GET', path: '/api/v1/', status: 429, attempt: 1, durationMs: 0 },
      { method: 'GET', path: '/api/v1/', status: 200, attempt: 2, durationMs: 0 },
    ]);
    expect(client.stats()).toEqual({ requests: 2, retries: 1, rateLimited: 1 });
  });
});

describe('options', () => {
  test('an empty key or a non-http URL is a configuration error', () => {
    expect(() => createGrowthBookClient({ baseUrl: 'http://127.0.0.1', apiKey: ' ' })).toThrow(
      /API key is empty/,
    );
    expect(() => createGrowthBookClient({ baseUrl: 'ftp://x', apiKey: CANARY_KEY })).toThrow(/http/);
    expect(() =>
      createGrowthBookClient({ baseUrl: 'http://x', apiKey: CANARY_KEY, requestsPerMinute: 0 }),
    ).toThrow(/requestsPerMinute/);
  });

  test('undefined options keep their defaults', async () => {
    server = await startServer(() => ({ body: { environments: [] } }));
    const { client } = testClient(server, { authScheme: undefined, maxRetries: undefined });
    await client.listEnvironments();
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${CANARY_KEY}`);
  });
});
