// Every HTTP answer is bounded, raw and decompressed: a small gzip answer that inflates to gigabytes
// (or a server that never stops sending) ends in a clear error naming the limit, not in memory
// exhaustion.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { SourceReadError } from '../../src/errors.js';
import { createGrowthBookClient } from '../../src/growthbook/client.js';
import { GrowthBookResponseError } from '../../src/growthbook/errors.js';
import { BodyTooLargeError, plainFetch } from '../../src/http/plain-fetch.js';
import { pushMetrics } from '../../src/observe/metrics-push.js';
import { fetchGitilesText, GITILES_MAX_BYTES } from '../../src/sources/posix/fetch-gitiles-text.js';
import { noDeadline } from '../../src/util/deadline.js';

type Answer = (res: import('node:http').ServerResponse) => void;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(answer: Answer): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  const listening = server;
  await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

/** 32 MiB of zeros, gzipped to about 32 KiB. */
const BOMB = gzipSync(Buffer.alloc(32 * 1024 * 1024));
const gzipBomb: Answer = (res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
  res.end(BOMB);
};
/** Sends forever, in chunks, without a length. */
const endless: Answer = (res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const pump = () => {
    while (res.write(chunk)) {
      /* until the socket pushes back */
    }
  };
  res.on('drain', pump);
  res.on('close', () => res.off('drain', pump));
  pump();
};

describe('the HTTP helper', () => {
  test('a gzip answer that inflates past the limit is refused, naming the limit', async () => {
    const url = await serve(gzipBomb);
    const error = await plainFetch({ url, timeoutMs: 10_000, maxBodyBytes: 1024 * 1024 }).catch((e) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(String(error.message)).toContain('larger than the limit of 1048576 bytes');
    expect(BOMB.length).toBeLessThan(1024 * 1024); // the raw answer was small: the decompressed size counts
  });

  test('a declared Content-Length over the limit is refused before the body is read', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
      res.write('x'); // and then nothing: reading it would wait for the timeout
    });
    const error = await plainFetch({ url, timeoutMs: 10_000, maxBodyBytes: 1024 * 1024 }).catch((e) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(String(error.message)).toContain('Content-Length 52428800');
  });

  test('an endless answer stops at the limit', async () => {
    const url = await serve(endless);
    const error = await plainFetch({ url, timeoutMs: 10_000, maxBodyBytes: 256 * 1024 }).catch((e) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
  });

  test('an answer within the limit is read whole', async () => {
    const url = await serve((res) => res.end('{"ok":true}'));
    const res = await plainFetch({ url, timeoutMs: 10_000, maxBodyBytes: 11 });
    expect(res.body).toBe('{"ok":true}');
  });
});

describe('each client', () => {
  test('GrowthBook: an oversized page fails the read at once (no retry), naming the limit', async () => {
    let requests = 0;
    const url = await serve((res) => {
      requests += 1;
      gzipBomb(res);
    });
    const client = createGrowthBookClient({ baseUrl: url, apiKey: 'secret_admin_limit', maxRetries: 3 });
    const error = await client.listMembers().catch((e) => e);
    expect(error).toBeInstanceOf(GrowthBookResponseError);
    expect(String(error.message)).toMatch(/larger than the limit of \d+ bytes/);
    expect(requests).toBe(1);
  });

  test('gitiles: an oversized data.yaml answer is a source error naming the limit', async () => {
    const url = await serve(gzipBomb);
    const error = await fetchGitilesText(`${url}/data.yaml?format=TEXT`, { deadline: noDeadline }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SourceReadError);
    expect(String(error.message)).toContain(`larger than the limit of ${GITILES_MAX_BYTES} bytes`);
  });

  test('Pushgateway: an endless answer is a failed push naming the limit', async () => {
    const url = await serve(endless);
    const error = await pushMetrics(url, 'gbsync_up 1\n').catch((e) => e);
    expect(String(error?.message)).toMatch(/metrics push to .* failed: .*larger than the limit of \d+ bytes/);
  });
});
