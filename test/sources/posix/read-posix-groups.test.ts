import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DeadlineError, SourceReadError } from '../../../src/errors.js';
import { parseDataYaml } from '../../../src/sources/posix/parse-data-yaml.js';
import { readPosixGroups } from '../../../src/sources/posix/read-posix-groups.js';
import { createDeadline, noDeadline } from '../../../src/util/deadline.js';
import { USER_AGENT } from '../../../src/version.js';

const FIXTURE_PATH = fileURLToPath(new URL('../../fixtures/data.yaml', import.meta.url));
const FIXTURE = readFileSync(FIXTURE_PATH);
const FIXTURE_GROUPS = parseDataYaml(FIXTURE.toString('utf8'), 'fixture').groups;
const GITILES_PATH =
  '/r/plugins/gitiles/operations/puppet/+/refs/heads/production/modules/admin/data/data.yaml';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

async function sourceError(promise: Promise<unknown>): Promise<SourceReadError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(SourceReadError);
  expect((error as SourceReadError).source).toBe('posix');
  return error as SourceReadError;
}

describe('readPosixGroups from a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gbsync-posix-'));

  test('reads plain YAML and reports its size', async () => {
    const result = await readPosixGroups({ file: FIXTURE_PATH }, { deadline: noDeadline });
    expect(result.groups.groups).toEqual(FIXTURE_GROUPS);
    expect(result.origin).toBe(FIXTURE_PATH);
    expect(result.bytes).toBe(statSync(FIXTURE_PATH).size);
  });

  test('a missing file names the file and the errno cause', async () => {
    const error = await sourceError(
      readPosixGroups({ file: '/nonexistent/data.yaml' }, { deadline: noDeadline }),
    );
    expect(error.message).toBe('posix: cannot read data.yaml file /nonexistent/data.yaml: no such file');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('a directory is not a data.yaml', async () => {
    const error = await sourceError(readPosixGroups({ file: dir }, { deadline: noDeadline }));
    expect(error.message).toBe(`posix: cannot read data.yaml file ${dir}: is a directory`);
  });

  test('invalid UTF-8 is an error', async () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from([0x67, 0x3a, 0x20, 0xe9, 0x0a]));
    expect((await sourceError(readPosixGroups({ file }, { deadline: noDeadline }))).message).toMatch(
      /is not valid UTF-8/,
    );
  });

  test('an empty file is unknown, not empty', async () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    expect((await sourceError(readPosixGroups({ file }, { deadline: noDeadline }))).message).toBe(
      `posix: ${file}: data.yaml is empty`,
    );
  });

  test('an expired deadline stops before reading', async () => {
    const error = await rejection(readPosixGroups({ file: FIXTURE_PATH }, { deadline: createDeadline(0) }));
    expect(error).toBeInstanceOf(DeadlineError);
  });
});

describe('readPosixGroups from gitiles (?format=TEXT) over real HTTP', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  let server: Server;
  let base: string;
  let handler: Handler;
  let seen: Array<{ url: string | undefined; userAgent: string | undefined }>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, userAgent: req.headers['user-agent'] });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
  });

  const url = () => `${base}${GITILES_PATH}?format=TEXT`;
  const send =
    (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
  const read = (timeoutMs?: number, extra: object = {}) =>
    readPosixGroups({ url: url() }, { deadline: noDeadline, timeoutMs, ...extra });

  test('decodes a base64 body (one long line, as gitiles sends it) and sends the User-Agent', async () => {
    handler = send(200, FIXTURE.toString('base64'));
    const result = await read();
    expect(result.groups.groups).toEqual(FIXTURE_GROUPS);
    expect(result.bytes).toBe(FIXTURE.length);
    expect(result.origin).toBe(`${base.replace('http://', '')}${GITILES_PATH}`);
    expect(seen).toEqual([{ url: `${GITILES_PATH}?format=TEXT`, userAgent: USER_AGENT }]);
    expect(USER_AGENT).toMatch(/^growthbook-ldap-sync\/\d+\.\d+\.\d+/);
  });

  test('base64 wrapped over several lines is accepted', async () => {
    handler = send(200, `${FIXTURE.toString('base64').replace(/(.{76})/g, '$1\r\n')}\n`);
    expect((await read()).groups.groups).toEqual(FIXTURE_GROUPS);
  });

  test('a configured User-Agent replaces the default', async () => {
    handler = send(200, FIXTURE.toString('base64'));
    await read(undefined, { userAgent: 'growthbook-ldap-sync/9.9.9 (test)' });
    expect(seen[0]?.userAgent).toBe('growthbook-ldap-sync/9.9.9 (test)');
  });

  const failures: Array<[proves: string, handler: () => Handler, message: RegExp]> = [
    [
      '404 is an error naming the status',
      () => send(404, 'Not Found'),
      /^posix: gitiles answered HTTP 404 Not Found for 127\.0\.0\.1:\d+\/r\/plugins/,
    ],
    ['500 is an error naming the status', () => send(500, 'oops'), /gitiles answered HTTP 500/],
    [
      'an HTML page served with 200 is not base64',
      () => send(200, '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html'),
      /the response from 127\.0\.0\.1:\d+\/r\/plugins\/.*data\.yaml is not base64; the URL must ask gitiles for \?format=TEXT/,
    ],
    ['plain YAML served without ?format=TEXT is not base64', () => send(200, FIXTURE), /is not base64/],
    [
      'truncated base64 is not base64',
      () => send(200, FIXTURE.toString('base64').slice(0, -3)),
      /is not base64/,
    ],
    ['an empty body is an error', () => send(200, ''), /gitiles sent an empty body/],
    [
      'bytes that are not UTF-8 are an error',
      () => send(200, Buffer.from([0xff, 0xfe, 0x41]).toString('base64')),
      /is not valid UTF-8 once base64-decoded/,
    ],
    [
      'an empty document is unknown, not empty',
      () => send(200, Buffer.from('---\n').toString('base64')),
      /data\.yaml is empty/,
    ],
    [
      'a document without groups: is an error',
      () => send(200, Buffer.from('users: {}\n').toString('base64')),
      /groups: is missing/,
    ],
  ];
  for (const [proves, makeHandler, message] of failures) {
    test(proves, async () => {
      handler = makeHandler();
      expect((await sourceError(read())).message).toMatch(message);
    });
  }

  test('a server that never answers times out', async () => {
    handler = () => {}; // never responds
    const error = await sourceError(read(200));
    expect(error.message).toMatch(
      /^posix: cannot fetch data\.yaml from 127\.0\.0\.1:\d+\/r\/plugins\/.*: timed out after 0.2s$/,
    );
  });

  test('a body that stalls after the headers times out too', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write(FIXTURE.toString('base64').slice(0, 40));
    };
    expect((await sourceError(read(200))).message).toMatch(/timed out/);
  });

  test('the run deadline cutting a request short is a deadline error (exit 6), not a source error', async () => {
    handler = () => {};
    const error = await rejection(
      readPosixGroups({ url: url() }, { deadline: createDeadline(0.15), timeoutMs: 10_000 }),
    );
    expect(error).toBeInstanceOf(DeadlineError);
  });

  test('an expired deadline sends no request', async () => {
    handler = send(200, FIXTURE.toString('base64'));
    expect(await rejection(readPosixGroups({ url: url() }, { deadline: createDeadline(0) }))).toBeInstanceOf(
      DeadlineError,
    );
    expect(seen).toEqual([]);
  });

  test('a refused connection names host and path, never the query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await sourceError(
      readPosixGroups(
        { url: `http://127.0.0.1:${port}/data.yaml?format=TEXT&token=s3cret` },
        { deadline: noDeadline },
      ),
    );
    expect(error.message).toMatch(
      new RegExp(`^posix: cannot fetch data\\.yaml from 127\\.0\\.0\\.1:${port}/data\\.yaml: .*ECONNREFUSED`),
    );
    expect(error.message).not.toContain('s3cret');
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('an injected fetch is used instead of the global one', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response(FIXTURE.toString('base64'), { status: 200 });
    }) as typeof fetch;
    const result = await readPosixGroups(
      { url: 'https://gerrit.example/x/data.yaml?format=TEXT' },
      { deadline: noDeadline, fetch: fakeFetch },
    );
    expect(calls).toEqual(['https://gerrit.example/x/data.yaml?format=TEXT']);
    expect(result.origin).toBe('gerrit.example/x/data.yaml');
  });
});
