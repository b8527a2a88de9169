// End to end against a real slapd: the CLI reads LDAP over the network, fails closed (exit 4, nothing
// written, a message naming the server and the cause) on every LDAP fault, and `check` reports how
// the server was reached.
import { describe, expect, test } from 'vitest';
import { logLines, stderrText } from '../helpers/run-cli.js';
import { freePorts, PROXY_AGENT_DN } from '../helpers/slapd.js';
import {
  ADMIN,
  ELEVATED,
  GATE,
  PROJECT,
  READONLY,
  seedMember,
  type World,
  type WorldSpec,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest({ ldap: 'slapd' });

const people = [
  { uid: 'a', ldap: [ADMIN], posix: [GATE] },
  { uid: 'r', ldap: [READONLY], posix: [GATE] },
];
const base = (): Omit<WorldSpec, 'ldap'> => ({
  people,
  members: [seedMember('a'), seedMember('r', { projectRoles: [{ project: PROJECT, role: 'admin' }] })],
});
const slapdOf = (w: World) => {
  if (!w.slapd) throw new Error('not a slapd world');
  return w.slapd;
};

describe('fail closed on LDAP faults (exit 4, nothing written, server and cause named)', () => {
  const cases: [
    proves: string,
    shape: (s: Omit<WorldSpec, 'ldap'>) => Omit<WorldSpec, 'ldap'>,
    arrange: ((w: World) => Promise<Record<string, string | undefined>>) | null,
    message: (w: World) => RegExp,
  ][] = [
    [
      'server unreachable',
      (s) => s,
      async (w) => {
        await slapdOf(w).stop();
        return {};
      },
      (w) => new RegExp(`ldap: ${slapdOf(w).ldapsUrl}: connect and bind anonymously: connection refused`),
    ],
    [
      'server certificate not trusted (no LDAP_CA_CERT_PATH: the system bundle does not hold the test CA)',
      (s) => s,
      async () => ({ LDAP_CA_CERT_PATH: undefined }),
      (w) => new RegExp(`ldap: ${slapdOf(w).ldapsUrl}: .*TLS certificate verification failed`),
    ],
    [
      'bind rejected',
      (s) => ({ ...s, ldapConfig: { bindDn: PROXY_AGENT_DN } }),
      async () => ({ LDAP_BIND_PASSWORD: 'not-the-password-CANARY' }),
      () => new RegExp(`bind as ${PROXY_AGENT_DN}: bind rejected: invalid credentials`),
    ],
    [
      'server stops answering (operation timeout)',
      (s) => ({ ...s, ldapConfig: { timeoutSeconds: 0.5 } }),
      async (w) => {
        await slapdOf(w).pause();
        return {};
      },
      () => /no answer within 0\.5s \(ldap\.timeoutSeconds\)/,
    ],
    [
      'a configured group missing',
      (s) => ({ ...s, omitLdapGroups: [ELEVATED] }),
      null,
      (w) => new RegExp(`ldap: ${slapdOf(w).ldapsUrl}: no groupOfNames "growthbook-customelevatedaccess"`),
    ],
  ];

  for (const [proves, shape, arrange, message] of cases) {
    test(proves, async () => {
      const w = await given(shape(base()));
      const env = (await arrange?.(w)) ?? {};
      const r = await w.run(['apply', '--output', 'json'], env);
      slapdOf(w).resume();
      expect(r.code, r.stderr).toBe(4);
      expect(stderrText(r.stderr)).toMatch(message(w));
      expect(r.stdout).toBe('');
      expect(r.stdout + r.stderr).not.toContain('CANARY');
      expect(w.writes()).toHaveLength(0);
    });
  }

  test('SYNC_DEADLINE_SECONDS bounds a hung LDAP server: exit 6, not the 30 s timeout', async () => {
    const w = await given(base());
    await slapdOf(w).pause();
    const r = await w.run(['apply', '--output', 'json'], { SYNC_DEADLINE_SECONDS: '1' });
    slapdOf(w).resume();
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/run deadline reached during LDAP \S/);
    expect(w.writes()).toHaveLength(0);
  });
});

describe('reading through every TLS mode and bind', () => {
  test('StartTLS on ldap:// with a simple bind: converges; the password appears nowhere', async () => {
    const w = await given({ ...base(), ldapConfig: { startTls: true, bindDn: PROXY_AGENT_DN } });
    const slapd = slapdOf(w);
    const { writeFileSync, readFileSync } = await import('node:fs');
    // point the config at the ldap:// listener
    writeFileSync(w.configPath, readFileSync(w.configPath, 'utf8').replace(slapd.ldapsUrl, slapd.url));
    const env = { LDAP_BIND_PASSWORD: slapd.proxyAgent.password };
    const r = await w.runJson('apply', ['--log-level', 'debug'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary).toMatchObject({ grant: 1, downgrade: 1 });
    const again = await w.runJson('plan', [], env);
    expect(again.doc.summary).toMatchObject({ grant: 0, downgrade: 0, noop: 2 });
    const read = logLines(r.stderr).find((l) => l.msg === 'ldap read');
    // StartTLS, bind, groups, one mail batch (which finds both group members), unbind
    expect(read).toMatchObject({ ldap_server: slapd.url, ldap_operations: 5, ldap_searches: 2 });
    for (const out of [r, again]) expect(out.stdout + out.stderr).not.toContain(slapd.proxyAgent.password);
  });

  test('plain ldap:// on loopback with a simple bind (a local TLS sidecar): converges', async () => {
    const w = await given({ ...base(), ldapConfig: { bindDn: PROXY_AGENT_DN } });
    const slapd = slapdOf(w);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(w.configPath, readFileSync(w.configPath, 'utf8').replace(slapd.ldapsUrl, slapd.url));
    const env = { LDAP_BIND_PASSWORD: slapd.proxyAgent.password };
    const r = await w.runJson('apply', [], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary).toMatchObject({ grant: 1, downgrade: 1 });
    const check = await w.run(['check', '--output', 'json'], env);
    const ldap = JSON.parse(check.stdout).sources.find((s: { source: string }) => s.source === 'ldap');
    expect(ldap.found).toMatchObject({ bind: `simple bind as ${PROXY_AGENT_DN}`, server: slapd.url });
    for (const out of [r, check]) expect(out.stdout + out.stderr).not.toContain(slapd.proxyAgent.password);
  });

  test('two LDAP people with the same mail: the member is skipped as ambiguous-identity', async () => {
    const w = await given({
      people: [
        { uid: 'dup1', mail: 'dup@wikimedia.org', ldap: [ADMIN], posix: [GATE] },
        { uid: 'dup2', mail: 'DUP@wikimedia.org', ldap: [], posix: [GATE] },
      ],
      members: [seedMember('dup', { email: 'dup@wikimedia.org' })],
    });
    const r = await w.runJson('apply');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.actions).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'ambiguous-identity', memberId: 'u_dup' }),
    ]);
    expect(w.writes()).toHaveLength(0);
  });
});

describe('check', () => {
  test('reports the server, TLS, bind, group sizes, people found and operations', async () => {
    const w = await given({
      people: [...people, { uid: 'e', ldap: [ELEVATED, READONLY], posix: [GATE] }],
      members: [seedMember('a')],
    });
    const r = await w.run(['check', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const ldap = JSON.parse(r.stdout).sources.find((s: { source: string }) => s.source === 'ldap');
    expect(ldap).toMatchObject({
      ok: true,
      target: `LDAP server ${slapdOf(w).ldapsUrl}`,
      found: {
        server: slapdOf(w).ldapsUrl,
        bind: 'anonymous',
        groups: { 'growthbook-admin': 1, 'growthbook-customelevatedaccess': 1, 'growthbook-readonly': 2 },
        people: 3,
        peopleWithMail: 3,
        operations: 5,
      },
    });
    expect(ldap.found.tls).toBe(
      `ldaps://, certificate verified against CA file ${slapdOf(w).certs.caPath} (LDAP_CA_CERT_PATH)`,
    );
    const human = await w.run(['check', '--output', 'human']);
    expect(human.stdout).toContain(`tls: ldaps://, certificate verified against CA file`);
    expect(human.stdout).toMatch(
      /groups: growthbook-admin 1, growthbook-customelevatedaccess 1, growthbook-readonly 2/,
    );
  });

  test('an unreachable server is reported with how it was to be reached (exit 4)', async () => {
    const w = await given(base());
    const [port] = await freePorts(1);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      w.configPath,
      readFileSync(w.configPath, 'utf8').replace(slapdOf(w).ldapsUrl, `ldaps://127.0.0.1:${port}`),
    );
    const r = await w.run(['check', '--output', 'json']);
    expect(r.code).toBe(4);
    const ldap = JSON.parse(r.stdout).sources.find((s: { source: string }) => s.source === 'ldap');
    expect(ldap.ok).toBe(false);
    expect(ldap.error).toMatch(/connection refused/);
    // the one operation tried: the bind that could not connect
    expect(ldap.found).toMatchObject({
      server: `ldaps://127.0.0.1:${port}`,
      bind: 'anonymous',
      operations: 1,
    });
  });
});
