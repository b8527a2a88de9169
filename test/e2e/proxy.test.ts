// HTTPS_PROXY / HTTP_PROXY / NO_PROXY through the real CLI: GrowthBook, gitiles and Pushgateway
// requests pass a CONNECT proxy on loopback that counts them. Targets are addressed as 127.0.0.2,
// where nothing listens: only the proxy (which maps that address to 127.0.0.1) can reach them, so a
// request that skipped the proxy fails instead of passing unseen.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { type ConnectProxy, startConnectProxy } from '../helpers/connect-proxy.js';
import {
  CANARY_KEY,
  PROJECT,
  THREE_PEOPLE,
  threeMembers,
  type World,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest();
const people = THREE_PEOPLE;
const members = () => threeMembers();
const FAR = '127.0.0.2';
const onlyThroughProxy = (host: string) => (host === FAR ? '127.0.0.1' : host);

let proxy: ConnectProxy | undefined;
let gateway: (Server & { pushes: string[] }) | undefined;
let tlsFront: ReturnType<typeof createTlsServer> | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  if (tlsFront) {
    await new Promise((r) => tlsFront?.close(r));
    tlsFront = undefined;
  }
  if (gateway) {
    gateway.closeAllConnections();
    await new Promise((r) => gateway?.close(r));
    gateway = undefined;
  }
});

async function startGateway(): Promise<Server & { pushes: string[] }> {
  const pushes: string[] = [];
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      pushes.push(`${req.method} ${req.url}`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(server, { pushes });
}

const portOf = (url: string) => new URL(url).port;

/** A world whose GrowthBook, gitiles and Pushgateway URLs name 127.0.0.2. */
async function farWorld(): Promise<{ world: World; targets: string[] }> {
  const world = await given({ people, members: members() });
  gateway = await startGateway();
  const gatewayPort = String((gateway.address() as AddressInfo).port);
  const config = parse(readFileSync(world.configPath, 'utf8'));
  config.growthbook.url = config.growthbook.url.replace('127.0.0.1', FAR);
  config.posix.url = config.posix.url.replace('127.0.0.1', FAR);
  config.metrics = { pushgatewayUrl: `http://${FAR}:${gatewayPort}` };
  writeFileSync(world.configPath, stringify(config));
  const targets = [portOf(world.emulator.url), portOf(world.gitiles.url), gatewayPort].map(
    (p) => `${FAR}:${p}`,
  );
  return { world, targets };
}

/** A certificate for 127.0.0.2, signed by the test run's CA (made by the global setup). */
function certFor127002(dir: string): { key: string; cert: string; ca: string } {
  const certs = join(inject('gbsyncRunDir'), 'certs');
  const [key, csr, cert, ext] = ['far.key', 'far.csr', 'far.pem', 'far.ext'].map((f) => join(dir, f)) as [
    string,
    string,
    string,
    string,
  ];
  writeFileSync(ext, `subjectAltName=IP:${FAR}\nextendedKeyUsage=serverAuth\n`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-new', ...ec, '-keyout', key, '-out', csr, '-subj', `/CN=${FAR}`], {
    stdio: 'ignore',
  });
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(certs, 'ca.pem'),
      '-CAkey',
      join(certs, 'ca.key'),
      '-CAcreateserial',
      '-CAserial',
      join(dir, 'ca.srl'),
      '-out',
      cert,
      '-days',
      '1',
      '-extfile',
      ext,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(key, 'utf8'),
    cert: readFileSync(cert, 'utf8'),
    ca: join(certs, 'ca.pem'),
  };
}

describe('forward proxy', () => {
  test('HTTPS_PROXY: an https:// source is reached through a CONNECT tunnel, TLS verified end to end', async () => {
    proxy = await startConnectProxy({ route: onlyThroughProxy });
    const { world } = await farWorld();
    // TLS in front of the gitiles server, for a name only the proxy can reach.
    const tls = certFor127002(world.dir);
    const gitilesPort = Number(portOf(world.gitiles.url));
    const front = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => {
      const upstream = connect(gitilesPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    tlsFront = front;
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const httpsPort = (front.address() as AddressInfo).port;
    const config = parse(readFileSync(world.configPath, 'utf8'));
    config.posix.url = config.posix.url.replace(/^http:\/\/[^/]+/, `https://${FAR}:${httpsPort}`);
    writeFileSync(world.configPath, stringify(config));

    const r = await world.runJson('plan', [], {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: tls.ca,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.connects).toContain(`${FAR}:${httpsPort}`);
    expect(world.gitiles.requests).toHaveLength(1);

    // The same tunnel without trusting the CA: TLS is verified through the proxy, the run fails closed.
    const untrusted = await world.run(['plan', '--output', 'json'], {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
    });
    expect(untrusted.code).toBe(4);
    expect(untrusted.stderr).toMatch(/certificate/i);
  });

  test('HTTP_PROXY: every GrowthBook, gitiles and Pushgateway request goes through the proxy', async () => {
    proxy = await startConnectProxy({ route: onlyThroughProxy });
    const { world, targets } = await farWorld();
    const r = await world.runJson('apply', [], { HTTP_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary).toMatchObject({ grant: 2, revoke: 1 });
    expect(world.writes()).toHaveLength(3);
    expect(gateway?.pushes).toEqual([`POST /metrics/job/growthbook_ldap_sync/projects/${PROJECT}`]);
    expect(world.gitiles.requests).toHaveLength(1);
    // Each target was reached through a tunnel, and nothing else was asked of the proxy.
    expect([...new Set(proxy.connects)].sort()).toEqual([...targets].sort());
    expect(proxy.plainRequests).toEqual([]);
    expect(proxy.bytesUp).toBeGreaterThan(0);
    expect(proxy.bytesDown).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(CANARY_KEY);
  });

  test('lowercase names win over uppercase ones, as in curl', async () => {
    proxy = await startConnectProxy({ route: onlyThroughProxy });
    const { world, targets } = await farWorld();
    const r = await world.runJson('plan', [], { http_proxy: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' });
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(proxy.connects)).toEqual(new Set(targets.slice(0, 2)));
  });

  test('HTTPS_PROXY alone is for https:// URLs: http:// targets still go direct', async () => {
    proxy = await startConnectProxy({ route: onlyThroughProxy });
    const { world } = await farWorld();
    const r = await world.run(['plan', '--output', 'json'], { HTTPS_PROXY: proxy.url });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(proxy.connects).toEqual([]);
  });

  test('NO_PROXY sends the listed host direct: the proxy sees nothing (and 127.0.0.2 refuses)', async () => {
    proxy = await startConnectProxy({ route: onlyThroughProxy });
    const { world } = await farWorld();
    const r = await world.run(['plan', '--output', 'json'], {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: `example.org,${FAR}`,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(proxy.connects).toEqual([]);
  });

  test('loopback addresses never go through the proxy', async () => {
    proxy = await startConnectProxy();
    const world = await given({ people, members: members() });
    const r = await world.runJson('apply', [], { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    expect(world.writes()).toHaveLength(3);
    expect(proxy.connects).toEqual([]);
  });

  test('proxy credentials are sent to the proxy and never printed, also when it refuses them', async () => {
    const password = 'pr0xy-S3cret-9d2f';
    proxy = await startConnectProxy({ route: onlyThroughProxy, credentials: `sync:${password}` });
    const { world } = await farWorld();
    const withAuth = (pass: string) => proxy?.url.replace('http://', `http://sync:${pass}@`) as string;

    const ok = await world.runJson('plan', [], { HTTP_PROXY: withAuth(password) });
    expect(ok.code, ok.stderr).toBe(0);
    const expected = `Basic ${Buffer.from(`sync:${password}`).toString('base64')}`;
    expect(new Set(proxy.authorizations)).toEqual(new Set([expected]));
    expect(ok.stdout + ok.stderr).not.toContain(password);

    const wrong = 'wr0ng-Pa55-71ab';
    const refused = await world.run(['plan', '--output', 'json'], { HTTP_PROXY: withAuth(wrong) });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('nothing was written');
    for (const secret of [wrong, password, CANARY_KEY, Buffer.from(`sync:${wrong}`).toString('base64')]) {
      expect(refused.stdout + refused.stderr).not.toContain(secret);
    }
  });

  test('a proxy variable that is not a URL is a usage error naming the variable, not its value', async () => {
    const world = await given({ people, members: members() });
    for (const value of [
      'proxy.example.org:3128 with s3cr3t',
      'proxyuser:s3cr3t@proxy.example.org:3128',
      'http://[s3cr3t',
    ]) {
      const r = await world.run(['plan'], { HTTPS_PROXY: value });
      expect(r.code, value).toBe(3);
      expect(r.stderr).toMatch(/HTTPS_PROXY is not (a URL|an http:\/\/ or https:\/\/ URL)/);
      expect(r.stderr).not.toContain('s3cr3t');
      expect(r.stderr).not.toContain('proxyuser');
    }
  });
});
