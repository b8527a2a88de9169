// The network LDAP source against a real OpenLDAP slapd loaded with the §6 fixture (the real
// Wikimedia shape): TLS modes, binds, and every way a read must fail closed.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LdapNetworkConfig } from '../../../src/config/schema.js';
import type { Directory } from '../../../src/core/model.js';
import { ConfigError, DeadlineError, SourceReadError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observe/logger.js';
import { buildDirectory } from '../../../src/sources/ldap/build-directory.js';
import {
  createNetworkDirectorySource,
  type NetworkSourceTuning,
} from '../../../src/sources/ldap/network-directory-source.js';
import { parseLdif } from '../../../src/sources/ldap/parse-ldif.js';
import { createDeadline, type Deadline, noDeadline } from '../../../src/util/deadline.js';
import { freePorts, GROUP_BASE, PEOPLE_BASE, type Slapd, startSlapd } from '../../helpers/slapd.js';

const FIXTURE = readFileSync(new URL('../../fixtures/directory.ldif', import.meta.url), 'utf8');
const NAMES = ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'];
const MAILS = ['jexample@example.org', 'QTester-CTR@example.org'];
const silent = createLogger({ runId: 'test', level: 'silent' });

// Beyond §6: a person only a mail search finds (same mail as jexample, in no group) and a group
// whose member is written in another letter case.
const EXTRA = `
dn: uid=jexample2,${PEOPLE_BASE}
objectClass: inetOrgPerson
objectClass: posixAccount
uid: jexample2
cn: jexample2
sn: jexample2
uidNumber: 41010
gidNumber: 500
homeDirectory: /home/jexample2
mail: JExample@example.org

dn: cn=mixed-case-members,${GROUP_BASE}
objectClass: groupOfNames
objectClass: posixGroup
cn: mixed-case-members
gidNumber: 55010
member: UID=QTester,OU=People,DC=Wikimedia,DC=Org
`;

let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd({ ldif: `${FIXTURE}\n${EXTRA}` });
});
afterAll(async () => {
  await slapd?.stop();
});

interface Setup {
  config?: Partial<LdapNetworkConfig>;
  env?: NodeJS.ProcessEnv;
  deadline?: Deadline;
  tuning?: NetworkSourceTuning;
}

/** A source for the slapd (ldaps:// with the run's CA unless told otherwise), recording its sockets. */
function source({ config = {}, env, deadline = noDeadline, tuning = {} }: Setup = {}) {
  const sockets: Socket[] = [];
  const src = createNetworkDirectorySource(
    {
      url: slapd.ldapsUrl,
      startTls: false,
      peopleBase: PEOPLE_BASE,
      groupBase: GROUP_BASE,
      timeoutSeconds: 5,
      ...config,
    },
    { env: env ?? { LDAP_CA_CERT_PATH: slapd.certs.caPath }, deadline, logger: silent },
    { onSocket: (s) => sockets.push(s), ...tuning },
  );
  return { src, sockets };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

const byDn = (d: Directory) => ({
  groups: d.groups,
  people: [...d.people].sort((a, b) => a.dn.localeCompare(b.dn)),
});

describe('reads', () => {
  test('ldaps:// with LDAP_CA_CERT_PATH reads the same directory the LDIF export gives', async () => {
    const { src, sockets } = source();
    const directory = await src.read({ groupNames: NAMES, mails: MAILS });
    const fromFile = buildDirectory(
      parseLdif(`${FIXTURE}\n${EXTRA}`, 'fx'),
      { peopleBase: PEOPLE_BASE, groupBase: GROUP_BASE, groupNames: NAMES },
      'fx',
    );
    expect(byDn(directory)).toEqual(byDn(fromFile));
    // bind, groups, one mail batch, one batch for the member (zformer) no mail found, unbind: one
    // search waiting at a time opens no second connection
    expect(src.details?.()).toMatchObject({
      operations: 5,
      connections: 1,
      searches: 3,
      bind: 'anonymous',
    });
    expect(src.details?.().tls).toMatch(
      /^ldaps:\/\/, certificate verified against CA file .*LDAP_CA_CERT_PATH/,
    );
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('StartTLS on ldap:// verifies the certificate too, and costs one more operation', async () => {
    const { src, sockets } = source({ config: { url: slapd.url, startTls: true } });
    const directory = await src.read({ groupNames: NAMES, mails: MAILS });
    expect(directory.groups.map((g) => g.memberDns.length)).toEqual([1, 1, 3]);
    expect(src.details?.()).toMatchObject({ operations: 6, connections: 1 });
    expect(src.details?.().tls).toMatch(/^StartTLS, certificate verified/);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('plain ldap:// without TLS reads anonymously and says so', async () => {
    const { src } = source({ config: { url: slapd.url } });
    const directory = await src.read({ groupNames: NAMES, mails: [] });
    expect(directory.people.map((p) => p.uid).sort()).toEqual(['jexample', 'qtester', 'zformer']);
    expect(src.details?.().tls).toMatch(/^none/);
  });

  test('simple bind with ldap.bindDn and LDAP_BIND_PASSWORD', async () => {
    const { src } = source({
      config: { bindDn: slapd.proxyAgent.dn },
      env: { LDAP_CA_CERT_PATH: slapd.certs.caPath, LDAP_BIND_PASSWORD: slapd.proxyAgent.password },
    });
    const directory = await src.read({ groupNames: NAMES, mails: MAILS });
    expect(directory.groups).toHaveLength(3);
    expect(src.details?.().bind).toBe(`simple bind as ${slapd.proxyAgent.dn}`);
  });

  test('simple bind over plain ldap:// on loopback (a local TLS-terminating sidecar) works', async () => {
    const { src } = source({
      config: { url: slapd.url, bindDn: slapd.proxyAgent.dn },
      env: { LDAP_BIND_PASSWORD: slapd.proxyAgent.password },
    });
    const directory = await src.read({ groupNames: NAMES, mails: MAILS });
    expect(directory.groups).toHaveLength(3);
    expect(src.details?.()).toMatchObject({
      bind: `simple bind as ${slapd.proxyAgent.dn}`,
      tls: 'none (plain ldap://, unencrypted)',
    });
  });

  test('group names match case-insensitively; member DNs in another case resolve', async () => {
    const { src } = source();
    const directory = await src.read({ groupNames: ['GROWTHBOOK-ADMIN', 'Mixed-Case-Members'], mails: [] });
    expect(directory.groups.map((g) => [g.name, g.dn])).toEqual([
      ['GROWTHBOOK-ADMIN', `cn=GrowthBook-Admin,${GROUP_BASE}`],
      ['Mixed-Case-Members', `cn=mixed-case-members,${GROUP_BASE}`],
    ]);
    expect(directory.people.map((p) => p.uid).sort()).toEqual(['jexample', 'qtester']);
  });

  test('a second person with the same mail is found by the mail search, so the identity is ambiguous', async () => {
    const { src } = source();
    const directory = await src.read({ groupNames: NAMES, mails: ['jexample@EXAMPLE.org'] });
    expect(
      directory.people.filter((p) => p.mails.some((m) => m.toLowerCase() === 'jexample@example.org')),
    ).toHaveLength(2);
  });

  test('filter values are data: "*" and ")(" in a mail match nobody', async () => {
    const { src } = source();
    const directory = await src.read({
      groupNames: ['growthbook-admin'],
      mails: ['*', '*)(uid=*', 'jexample@example.org)(mail=*'],
    });
    expect(directory.people.map((p) => p.uid)).toEqual(['jexample']);
  });
});

describe('fails closed, naming the server and the cause', () => {
  test('a certificate the trust store does not hold (system CA bundle): TLS verification failure', async () => {
    const { src, sockets } = source({ env: {} });
    const error = await failure(src.read({ groupNames: NAMES, mails: MAILS }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toContain(slapd.ldapsUrl);
    expect(error.message).toMatch(/TLS certificate verification failed .*trusted: system CA bundle/);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('a CA that did not sign the server certificate, over StartTLS', async () => {
    const { src, sockets } = source({
      config: { url: slapd.url, startTls: true },
      env: { LDAP_CA_CERT_PATH: slapd.certs.otherCaPath },
    });
    const error = await failure(src.read({ groupNames: NAMES, mails: MAILS }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toMatch(new RegExp(`${slapd.url}: StartTLS: TLS certificate verification failed`));
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('a rejected bind names the DN, never the password', async () => {
    const { src, sockets } = source({
      config: { bindDn: slapd.proxyAgent.dn },
      env: { LDAP_CA_CERT_PATH: slapd.certs.caPath, LDAP_BIND_PASSWORD: 'wrong-password-CANARY' },
    });
    const error = await failure(src.read({ groupNames: NAMES, mails: MAILS }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toContain(`${slapd.ldapsUrl}: bind as ${slapd.proxyAgent.dn}: bind rejected`);
    expect(error.message).toContain('LDAP result 49');
    expect(error.message).not.toContain('CANARY');
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('nothing listening: connection refused', async () => {
    const [port] = await freePorts(1);
    const { src } = source({ config: { url: `ldap://127.0.0.1:${port}` } });
    const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toMatch(
      /ldap:\/\/127\.0\.0\.1:\d+: connect and bind anonymously: connection refused/,
    );
  });

  test('a server that stops answering: the operation timeout fires (ldap.timeoutSeconds)', async () => {
    const { src, sockets } = source({ config: { url: slapd.url, timeoutSeconds: 0.3 } });
    await slapd.pause();
    try {
      const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
      expect(error).toBeInstanceOf(SourceReadError);
      // A paused server leaves the first step it gets to hanging (usually the bind).
      expect(error.message).toMatch(new RegExp(`${slapd.url}: [^:]+: no answer within 0\\.3s`));
    } finally {
      slapd.resume();
    }
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('a TLS handshake that never completes times out too', async () => {
    const { src, sockets } = source({ config: { timeoutSeconds: 0.3 } });
    await slapd.pause();
    try {
      const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
      expect(error.message).toMatch(new RegExp(`${slapd.ldapsUrl}: [^:]+: no answer within 0\\.3s`));
    } finally {
      slapd.resume();
    }
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('the run deadline is checked before connecting: nothing is opened', async () => {
    let now = 0;
    const deadline = createDeadline(1, { now: () => now, sleep: async () => undefined });
    now = 2000;
    const { src, sockets } = source({ deadline });
    const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
    expect(error).toBeInstanceOf(DeadlineError);
    expect(error.message).toMatch(/before LDAP connect and bind/);
    expect(sockets).toHaveLength(0);
  });

  test('a deadline nearer than the timeout bounds the wait (exit 6, not a 30 s hang)', async () => {
    const { src, sockets } = source({
      config: { url: slapd.url, timeoutSeconds: 30 },
      // Long enough that a loaded machine still reaches the connect before it passes.
      deadline: createDeadline(1),
    });
    await slapd.pause();
    try {
      const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
      expect(error).toBeInstanceOf(DeadlineError);
      // Whichever operation the paused server leaves hanging (the pause can land after the bind).
      expect(error.message).toMatch(new RegExp(`^run deadline reached during LDAP .+ on ${slapd.url}$`));
    } finally {
      slapd.resume();
    }
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('a configured group missing', async () => {
    const { src, sockets } = source();
    const error = await failure(src.read({ groupNames: [...NAMES, 'growthbook-nonexistent'], mails: [] }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toBe(
      `ldap: ${slapd.ldapsUrl}: no groupOfNames "growthbook-nonexistent" under ${GROUP_BASE}`,
    );
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('a wrong base DN: no such object', async () => {
    const { src } = source({ config: { groupBase: 'ou=nothing,dc=wikimedia,dc=org' } });
    const error = await failure(src.read({ groupNames: NAMES, mails: [] }));
    expect(error.message).toMatch(/read groups .* under ou=nothing,dc=wikimedia,dc=org: no such object/);
  });
});

describe('configuration', () => {
  const make =
    (config: Partial<LdapNetworkConfig>, env: NodeJS.ProcessEnv = {}) =>
    () =>
      source({ config, env });

  test('bindDn without LDAP_BIND_PASSWORD is a configuration error, not an unauthenticated bind', () => {
    expect(make({ bindDn: 'cn=proxyagent,ou=profile,dc=wikimedia,dc=org' })).toThrow(ConfigError);
    expect(make({ bindDn: 'cn=proxyagent,ou=profile,dc=wikimedia,dc=org' })).toThrow(/LDAP_BIND_PASSWORD/);
  });

  test('a password is never sent over plain ldap:// off this host', () => {
    expect(
      make({ url: 'ldap://ldap.example.org:389', bindDn: 'cn=a,dc=b' }, { LDAP_BIND_PASSWORD: 'x' }),
    ).toThrow(/clear text off this host/);
  });

  test('startTls on an ldaps:// URL is refused', () => {
    expect(make({ startTls: true }, {})).toThrow(/startTls applies to ldap:\/\//);
  });

  test('an unreadable LDAP_CA_CERT_PATH is a configuration error naming it', () => {
    expect(make({}, { LDAP_CA_CERT_PATH: '/nonexistent/ca.pem' })).toThrow(
      'LDAP_CA_CERT_PATH /nonexistent/ca.pem cannot be read (ENOENT)',
    );
  });
});
