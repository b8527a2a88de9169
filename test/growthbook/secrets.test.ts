// The API key must not leak through any error a caller could log, on any failure path.
import { afterEach, describe, expect, test } from 'vitest';
import type { GrowthBookClient } from '../../src/growthbook/client.js';
import { createDeadline } from '../../src/util/deadline.js';
import {
  CANARY_KEY,
  fakeClock,
  pageOf,
  type Reply,
  renderings,
  type Seen,
  startServer,
  type TestServer,
  testClient,
} from './helpers.js';

let server: TestServer;
afterEach(() => server?.close());

const FORMS = [
  CANARY_KEY,
  Buffer.from(`${CANARY_KEY}:`).toString('base64'),
  Buffer.from(CANARY_KEY).toString('base64'),
  // A distinctive inner piece, in case something truncates or re-encodes the key.
  'CANARY_7d41c0ffee93',
];

/** A proxy that helpfully echoes the Authorization header back. */
const echo = (req: Seen) => `Bad request; you sent Authorization: ${req.headers.authorization}`;

const UPDATE = { role: 'noaccess', environments: [], projectRoles: [] };
type Call = (c: GrowthBookClient) => Promise<unknown>;
const list: Call = (c) => c.listMembers();
const write: Call = (c) => c.updateMemberRole('u_1', UPDATE);

const paths: Array<[path: string, script: (req: Seen, i: number) => Reply, call: Call]> = [
  ['401', () => ({ status: 401, body: { message: 'Invalid API key' } }), list],
  [
    '403',
    () => ({ status: 403, body: { message: 'You do not have permission to perform this action' } }),
    list,
  ],
  ['400 echoing the header as JSON message', (r) => ({ status: 400, body: { message: echo(r) } }), write],
  ['502 HTML page echoing the header', (r) => ({ status: 502, body: `<html>${echo(r)}</html>` }), list],
  ['500 on a write', (r) => ({ status: 500, body: { message: echo(r) } }), write],
  [
    '429 until retries run out',
    (r) => ({ status: 429, headers: { 'Retry-After': '1' }, body: echo(r) }),
    list,
  ],
  ['200 with invalid JSON echoing the header', (r) => ({ body: `${echo(r)} {` }), list],
  ['200 with the wrong shape', (r) => ({ body: { members: echo(r) } }), list],
  [
    '200 whose value holds the key where a type was expected',
    (r) => ({ body: { updatedMember: echo(r) } }),
    write,
  ],
  ['inconsistent pagination', (r) => ({ body: { ...pageOf([], r.url), total: 3 } }), list],
  ['connection cut', () => ({ destroy: true }), list],
  ['timeout', () => ({ hang: true }), list],
];

describe('the API key never appears in an error', () => {
  for (const authScheme of ['bearer', 'basic'] as const) {
    for (const [path, script, call] of paths) {
      test(`${authScheme}: ${path}`, async () => {
        server = await startServer(script);
        const events: unknown[] = [];
        const { client } = testClient(server, {
          authScheme,
          maxRetries: 1,
          // Long enough that a busy machine never turns another path into a timeout before the
          // server has seen the request; the timeout path itself still ends in a second.
          requestTimeoutMs: path === 'timeout' ? 1_000 : 10_000,
          onRequest: (e) => events.push(e),
        });
        const error = await call(client).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        const texts = [...renderings(error), JSON.stringify(events)];
        for (const form of FORMS) for (const text of texts) expect(text).not.toContain(form);
        // The server did receive it: the canary would have been there to leak.
        expect(JSON.stringify(server.seen[0]?.headers)).toContain(
          authScheme === 'bearer' ? CANARY_KEY : FORMS[1],
        );
      });
    }
  }

  test('connection refused', async () => {
    server = await startServer(() => ({ body: {} }));
    const url = server.url;
    await server.close();
    const { client } = testClient(server, { baseUrl: url, maxRetries: 0 });
    const error = await client.info().catch((e: unknown) => e);
    for (const text of renderings(error)) expect(text).not.toContain(CANARY_KEY);
  });

  test('deadline reached while waiting to retry', async () => {
    server = await startServer((r) => ({ status: 429, headers: { 'Retry-After': '60' }, body: echo(r) }));
    const clock = fakeClock();
    const { client } = testClient(server, { clock, deadline: createDeadline(5, clock) });
    const error = await client.info().catch((e: unknown) => e);
    for (const text of renderings(error)) expect(text).not.toContain(CANARY_KEY);
  });

  test('the redacted server message keeps the rest of the text', async () => {
    server = await startServer((r) => ({ status: 400, body: { message: echo(r) } }));
    const { client } = testClient(server);
    await expect(client.info()).rejects.toThrow('you sent Authorization: Bearer [REDACTED]');
  });
});
