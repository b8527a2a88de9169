import { afterEach, describe, expect, it } from 'vitest';
import { pushMetrics } from '../../src/observe/metrics.js';
import { startGateway } from './helpers.js';

const TEXT = '# HELP gbsync_exit_code Exit code.\n# TYPE gbsync_exit_code gauge\ngbsync_exit_code 0\n';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function gateway(...args: Parameters<typeof startGateway>) {
  const started = await startGateway(...args);
  closers.push(started.close);
  return started;
}

describe('pushMetrics', () => {
  it('POSTs the text to /metrics/job/growthbook_ldap_sync with the exposition content type', async () => {
    const gw = await gateway();
    await pushMetrics(gw.origin, TEXT, {});
    expect(gw.received).toHaveLength(1);
    const [request] = gw.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/metrics/job/growthbook_ldap_sync');
    expect(request?.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(request?.headers['user-agent']).toMatch(/^growthbook-ldap-sync\/\d+\.\d+\.\d+/);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toBe(TEXT);
  });

  it('groups by job, then project and instance; a value with a slash is sent base64url', async () => {
    const gw = await gateway();
    await pushMetrics(gw.origin, TEXT, {
      grouping: [
        ['project', 'prj_abc'],
        ['instance', 'dry-run'],
      ],
    });
    await pushMetrics(gw.origin, TEXT, { grouping: [['project', 'prj a/b']] });
    expect(gw.received.map((r) => r.url)).toEqual([
      '/metrics/job/growthbook_ldap_sync/project/prj_abc/instance/dry-run',
      `/metrics/job/growthbook_ldap_sync/project@base64/${Buffer.from('prj a/b').toString('base64url')}`,
    ]);
  });

  it('keeps a path prefix, drops a trailing slash, and sends the given User-Agent', async () => {
    const gw = await gateway();
    await pushMetrics(`${gw.origin}/pushgateway/`, TEXT, { userAgent: 'test-agent/1' });
    expect(gw.received[0]?.url).toBe('/pushgateway/metrics/job/growthbook_ldap_sync');
    expect(gw.received[0]?.headers['user-agent']).toBe('test-agent/1');
  });

  it('refuses credentials in the URL without sending anything or printing them', async () => {
    const gw = await gateway();
    const error = await pushMetrics(gw.origin.replace('http://', 'http://pusher:s3cret@'), TEXT, {}).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('credentials');
    expect((error as Error).message).not.toContain('s3cret');
    expect(gw.received).toHaveLength(0);
  });

  it('fails on HTTP 500 naming the host and status, never credentials or query', async () => {
    const gw = await gateway(() => ({ status: 500, body: 'pushed metrics are invalid\n' }));
    const host = gw.origin.replace('http://', '');
    const url = `http://${host}/?token=sekrit`;
    const error = await pushMetrics(url, TEXT, {}).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe(`metrics push to ${host} failed: HTTP 500 (pushed metrics are invalid)`);
    expect(error?.message).not.toMatch(/hunter2|sekrit|pusher/);
  });

  it('gives up after the timeout', async () => {
    const gw = await gateway(() => 'hang');
    const host = gw.origin.replace('http://', '');
    await expect(pushMetrics(gw.origin, TEXT, { timeoutMs: 200 })).rejects.toThrow(
      `metrics push to ${host} timed out after 200 ms`,
    );
  });

  it('names the network error when nothing listens', async () => {
    const gw = await startGateway();
    await gw.close();
    const host = gw.origin.replace('http://', '');
    await expect(pushMetrics(`${gw.origin}/?token=sekrit`, TEXT, {})).rejects.toThrow(
      `metrics push to ${host} failed: ECONNREFUSED`,
    );
  });

  it('treats a redirect as a failure rather than following it', async () => {
    const gw = await gateway(() => ({ status: 307 }));
    await expect(pushMetrics(gw.origin, TEXT, {})).rejects.toThrow(/HTTP 307/);
    expect(gw.received).toHaveLength(1);
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response('', { status: 202 });
    }) as typeof fetch;
    await pushMetrics('https://gw.example.org:9091', TEXT, { fetch: fakeFetch });
    expect(calls).toEqual(['https://gw.example.org:9091/metrics/job/growthbook_ldap_sync']);
  });

  it('rejects a URL it cannot use without echoing it', async () => {
    await expect(pushMetrics('not a url?token=sekrit', TEXT, {})).rejects.toThrow(
      'metrics push: pushgatewayUrl is not a valid URL',
    );
    await expect(pushMetrics('ftp://gw.example.org/', TEXT, {})).rejects.toThrow(/unsupported scheme ftp:/);
  });
});
