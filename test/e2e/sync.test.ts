// End to end: the real CLI process against the GrowthBook emulator and a gitiles-shaped server over
// loopback, with an LDIF export (the main scenarios also with slapd). End state first, then request counts.
import { describe, expect, test } from 'vitest';
import {
  ADMIN,
  CANARY_KEY,
  ELEVATED,
  ELEVATED_ROLE,
  GATE,
  LDAP_KINDS,
  OTHER_PROJECT,
  type PersonSpec,
  PROJECT,
  READONLY,
  seedMember,
  type World,
  type WorldSpec,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest();

const projectRoleOf = (w: World, id: string) =>
  w.emulator.member(id)?.projectRoles?.find((p) => p.project === PROJECT);

// The main scenarios run twice: LDAP from an LDIF export, and from a slapd serving the same entries.
for (const ldap of LDAP_KINDS) {
  describe(`rollout and convergence (LDAP: ${ldap})`, () => {
    test('rollout from nothing grants every entitled member; a second run writes nothing', async () => {
      const people: PersonSpec[] = [
        { uid: 'admin1', ldap: [ADMIN], posix: [GATE] },
        { uid: 'elev1', ldap: [ELEVATED], posix: [GATE, 'deployment'] },
        { uid: 'elev2', ldap: [ELEVATED], posix: [GATE] },
        { uid: 'ro1', ldap: [READONLY], posix: [GATE] },
        { uid: 'none1', ldap: [], posix: [GATE] },
      ];
      const w = await given({ ldap, people, members: people.map((p) => seedMember(p.uid)) });
      const first = await w.runJson('apply');
      expect(first.code).toBe(0);
      expect(first.doc.summary).toMatchObject({ grant: 4, noop: 1, revoke: 0 });
      expect(projectRoleOf(w, 'u_admin1')).toMatchObject({ role: 'admin', environments: [] });
      expect(projectRoleOf(w, 'u_elev1')?.role).toBe(ELEVATED_ROLE);
      expect(projectRoleOf(w, 'u_elev2')?.role).toBe('readonly');
      expect(projectRoleOf(w, 'u_ro1')?.role).toBe('readonly');
      expect(projectRoleOf(w, 'u_none1')).toBeUndefined();
      expect(first.doc.actions.filter((a) => a.result === 'applied')).toHaveLength(4);

      w.emulator.resetRequests();
      const second = await w.runJson('apply');
      expect(second.code).toBe(0);
      expect(second.doc.summary).toMatchObject({ grant: 0, upgrade: 0, downgrade: 0, revoke: 0, noop: 5 });
      expect(w.emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      // A converged run costs the project read and one page of members.
      expect(w.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([`GET /api/v1/projects/${PROJECT}`, 'GET /api/v1/members']),
      );
      expect(w.emulator.requests).toHaveLength(2);
    });

    test('plan writes nothing and prints the same document shape', async () => {
      const w = await given({
        ldap,
        people: [{ uid: 'a', ldap: [ADMIN], posix: [GATE] }],
        members: [seedMember('a')],
      });
      const r = await w.runJson('plan');
      expect(r.code).toBe(0);
      expect(r.doc).toMatchObject({ mode: 'plan', project: PROJECT, summary: { grant: 1 } });
      expect(r.doc.actions[0]).toMatchObject({
        kind: 'grant',
        email: 'a@wikimedia.org',
        memberId: 'u_a',
        uid: 'a',
        from: 'noaccess',
        to: 'admin',
        rule: '1',
        result: 'planned',
      });
      expect(w.writes()).toHaveLength(0);
    });
  });

  describe(`policy end to end (LDAP: ${ldap})`, () => {
    test('the gate beats admin: an admin-group member outside analytics-privatedata-users is revoked', async () => {
      const w = await given({
        ldap,
        people: [{ uid: 'boss', ldap: [ADMIN, READONLY], posix: ['deployment'] }],
        members: [seedMember('boss', { projectRoles: [{ project: PROJECT, role: 'admin' }] })],
      });
      const r = await w.runJson('apply');
      expect(r.code).toBe(0);
      expect(r.doc.actions[0]).toMatchObject({ kind: 'revoke', from: 'admin', to: 'noaccess', rule: null });
      expect(projectRoleOf(w, 'u_boss')?.role).toBe('noaccess');
    });

    test('data.yaml ensure: absent removes a person from every POSIX group', async () => {
      const w = await given({
        ldap,
        people: [{ uid: 'gone', ldap: [ADMIN], posix: [GATE], absent: true }],
        members: [seedMember('gone', { projectRoles: [{ project: PROJECT, role: 'admin' }] })],
      });
      const r = await w.runJson('apply');
      expect(r.doc.actions[0]).toMatchObject({ kind: 'revoke', to: 'noaccess' });
    });

    test('CustomElevatedAccess with a qualifier, readonly without; the custom role id is sent verbatim', async () => {
      const w = await given({
        ldap,
        people: [
          { uid: 'q', ldap: [ELEVATED], posix: [GATE, 'analytics-wmde-users'] },
          { uid: 'n', ldap: [ELEVATED], posix: [GATE, 'wheel'] },
        ],
        members: [seedMember('q'), seedMember('n')],
      });
      const r = await w.runJson('apply');
      expect(r.code).toBe(0);
      const body = w.writes().find((x) => x.id === 'u_q')?.body as {
        member: { projectRoles: { role: string }[] };
      };
      expect(body.member.projectRoles[0]?.role).toBe('CustomElevatedAccess');
      expect(projectRoleOf(w, 'u_n')?.role).toBe('readonly');
      expect(r.doc.actions.find((a) => a.memberId === 'u_n')?.rule).toBe('3');
    });
  });
}

describe('what a write carries', () => {
  test('other projects, their environments and global additionalRoles are preserved; the global role is pinned', async () => {
    const w = await given({
      people: [{ uid: 'multi', ldap: [ADMIN], posix: [GATE] }],
      members: [
        seedMember('multi', {
          globalRole: 'readonly',
          additionalRoles: [{ role: 'analyst', environments: [] }],
          projectRoles: [
            { project: OTHER_PROJECT, role: 'engineer', environments: ['staging'] },
            { project: PROJECT, role: 'readonly', environments: [] },
          ],
        }),
      ],
    });
    const r = await w.runJson('apply');
    expect(r.code).toBe(0);
    const after = w.emulator.member('u_multi');
    expect(after?.globalRole).toBe('noaccess');
    expect(after?.additionalRoles).toEqual([
      { role: 'analyst', environments: [], limitAccessByEnvironment: false },
    ]);
    // An empty additionalRoles list and an absent one mean the same to GrowthBook.
    const stripEmpty = ({ additionalRoles, ...rest }: { additionalRoles?: unknown[] }) =>
      additionalRoles?.length ? { additionalRoles, ...rest } : rest;
    expect(after?.projectRoles?.map(stripEmpty)).toEqual([
      { project: OTHER_PROJECT, role: 'engineer', environments: ['staging'], limitAccessByEnvironment: true },
      { project: PROJECT, role: 'admin', environments: [], limitAccessByEnvironment: false },
    ]);
    const body = w.writes()[0]?.body as { member: Record<string, unknown> };
    expect(Object.keys(body.member).sort()).toEqual([
      'additionalRoles',
      'environments',
      'projectRoles',
      'role',
    ]);
    expect(body.member.environments).toEqual([]);
  });

  test('a drifting managed entry (environment limits) is rewritten to the owned shape', async () => {
    const w = await given({
      people: [{ uid: 'eng', ldap: [READONLY], posix: [GATE] }],
      members: [
        seedMember('eng', {
          projectRoles: [{ project: PROJECT, role: 'engineer', environments: ['production'] }],
        }),
      ],
    });
    const r = await w.runJson('apply');
    expect(r.doc.actions[0]).toMatchObject({ kind: 'downgrade', from: 'engineer', to: 'readonly' });
    expect(projectRoleOf(w, 'u_eng')).toMatchObject({
      role: 'readonly',
      environments: [],
      limitAccessByEnvironment: false,
    });
    expect(projectRoleOf(w, 'u_eng')?.additionalRoles ?? []).toEqual([]);
  });

  test('out-of-scope members are reported as skips and never written', async () => {
    const w = await given({
      people: [
        { uid: 'ext', mail: 'ext@gmail.com', ldap: [ADMIN], posix: [GATE] },
        { uid: 'owner', ldap: [], posix: [GATE] },
        { uid: 'scim', ldap: [ADMIN], posix: [GATE] },
        { uid: 'prot', ldap: [], posix: [GATE] },
        { uid: 'dup1', mail: 'dup@wikimedia.org', ldap: [ADMIN], posix: [GATE] },
        { uid: 'dup2', mail: 'DUP@wikimedia.org', ldap: [], posix: [GATE] },
      ],
      members: [
        seedMember('ext', { email: 'ext@gmail.com' }),
        seedMember('owner', { globalRole: 'admin' }),
        seedMember('scim', { managedbyIdp: true }),
        seedMember('prot', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
        seedMember('dup', { email: 'dup@wikimedia.org' }),
      ],
      growthbook: { protectedEmails: ['PROT@wikimedia.org'] },
    });
    const r = await w.runJson('apply');
    expect(r.code).toBe(0);
    const reasons = Object.fromEntries(r.doc.actions.map((a) => [a.memberId, `${a.kind}:${a.reason}`]));
    expect(reasons).toEqual({
      u_ext: 'skip:outside-email-domains',
      u_owner: 'skip:global-admin',
      u_scim: 'skip:managed-by-idp',
      u_prot: 'skip:protected-email',
      u_dup: 'skip:ambiguous-identity',
    });
    expect(w.writes()).toHaveLength(0);
  });

  test('an entitled person without a GrowthBook member is pending, not written', async () => {
    const w = await given({ people: [{ uid: 'newbie', ldap: [READONLY], posix: [GATE] }], members: [] });
    const r = await w.runJson('apply');
    expect(r.code).toBe(0);
    expect(r.doc.actions).toEqual([
      expect.objectContaining({
        kind: 'pending',
        email: 'newbie@wikimedia.org',
        memberId: null,
        to: 'readonly',
      }),
    ]);
    expect(w.writes()).toHaveLength(0);
  });
});

describe('circuit breaker', () => {
  const people: PersonSpec[] = Array.from({ length: 8 }, (_, i) => ({
    uid: `p${i}`,
    ldap: [],
    posix: [GATE],
  }));
  const members = people.map((p) =>
    seedMember(p.uid, { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
  );

  test('too many revokes: exit 2, zero writes, the JSON plan still printed', async () => {
    const w = await given({ people, members });
    const r = await w.runJson('apply');
    expect(r.code).toBe(2);
    expect(r.doc.safety).toMatchObject({ tripped: true, threshold: 5, revoke: 8 });
    expect(r.doc.actions.every((a) => a.result === 'planned')).toBe(true);
    expect(w.writes()).toHaveLength(0);
  });

  test('--override-threshold lets one run through', async () => {
    const w = await given({ people, members });
    const r = await w.runJson('apply', ['--override-threshold']);
    expect(r.code).toBe(0);
    expect(r.doc.safety).toMatchObject({ tripped: false, revoke: 8 });
    expect(w.writes()).toHaveLength(8);
  });

  test('the threshold is configurable', async () => {
    const w = await given({ people, members, safety: { threshold: { min: 8, percent: 10 } } });
    const r = await w.runJson('plan');
    expect(r.code).toBe(0);
    expect(r.doc.safety.threshold).toBe(8);
  });
});

describe('apply order and failures', () => {
  test('writes go out serially in fail-closed order, each preceded by a fresh read', async () => {
    const w = await given({
      people: [
        { uid: 'g', ldap: [ADMIN], posix: [GATE] },
        { uid: 'r', ldap: [], posix: [GATE] },
        { uid: 'd', ldap: [READONLY], posix: [GATE] },
      ],
      members: [
        seedMember('g'),
        seedMember('r', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
        seedMember('d', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
      ],
    });
    await w.runJson('apply');
    const sequence = w.emulator.requests
      .filter((r) => r.method === 'POST' || r.query.userEmail !== undefined)
      .map((r) => (r.method === 'POST' ? `write ${r.path.split('/')[4]}` : `read ${r.query.userEmail}`));
    expect(sequence).toEqual([
      'read r@wikimedia.org',
      'write u_r',
      'read d@wikimedia.org',
      'write u_d',
      'read g@wikimedia.org',
      'write u_g',
    ]);
  });

  test('a member changed since the plan is not written; exit 5 names it', async () => {
    const w = await given({
      people: [{ uid: 'a', ldap: [ADMIN], posix: [GATE] }],
      members: [seedMember('a')],
    });
    let changed = false;
    w.emulator.setOnRequest((req) => {
      if (!changed && req.query.userEmail === 'a@wikimedia.org') {
        changed = true;
        w.emulator.setMember(seedMember('a', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }));
      }
    });
    const r = await w.runJson('apply');
    expect(r.code).toBe(5);
    expect(r.doc.actions[0]).toMatchObject({ kind: 'grant', result: 'failed' });
    expect(r.doc.actions[0]?.detail).toContain('stale');
    expect(w.writes()).toHaveLength(0);
  });

  test('a refused write is reported (exit 5) with the server message', async () => {
    const w = await given({
      people: [{ uid: 'a', ldap: [ADMIN], posix: [GATE] }],
      members: [seedMember('a')],
      emulator: {
        faults: [
          {
            method: 'POST',
            path: '/api/v1/members/',
            status: 400,
            body: { message: 'Could not find user with that ID' },
          },
        ],
      },
    });
    const r = await w.runJson('apply');
    expect(r.code).toBe(5);
    expect(r.doc.actions[0]?.result).toBe('failed');
    expect(r.doc.actions[0]?.detail).toContain('Could not find user with that ID');
  });

  test('a large plan arrives whole on stdout through a pipe', async () => {
    const people: PersonSpec[] = Array.from({ length: 1500 }, (_, i) => ({
      uid: `user${i}`,
      ldap: [READONLY],
      posix: [GATE],
    }));
    const w = await given({
      people,
      members: people.map((p) =>
        seedMember(p.uid, { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
      ),
    });
    const r = await w.runJson('plan');
    expect(r.code).toBe(0);
    expect(r.doc.actions).toHaveLength(1500);
    expect(r.stdout.length).toBeGreaterThan(300_000);
  });
});

describe('fail closed: a source error stops the run before planning (exit 4, nothing written)', () => {
  const base = (): WorldSpec => ({
    people: [
      { uid: 'x', ldap: [ADMIN], posix: [GATE] },
      { uid: 'y', ldap: [], posix: [GATE] },
    ],
    members: [seedMember('x'), seedMember('y', { projectRoles: [{ project: PROJECT, role: 'admin' }] })],
  });

  const cases: [string, (spec: WorldSpec) => WorldSpec, ((w: World) => void) | null, RegExp][] = [
    ['data.yaml server error', (s) => s, (w) => w.gitiles.setMode('error-500'), /posix.*500/],
    ['data.yaml not base64 (an HTML page)', (s) => s, (w) => w.gitiles.setMode('html'), /posix.*base64/i],
    ['data.yaml not YAML', (s) => s, (w) => w.gitiles.setMode('not-yaml'), /posix.*:\d+:\d+/],
    [
      'gate group missing from data.yaml',
      (s) => ({ ...s, omitPosixGroups: [GATE] }),
      null,
      /analytics-privatedata-users/,
    ],
    [
      'qualifier group missing from data.yaml',
      (s) => ({ ...s, omitPosixGroups: ['analytics-wmde-users'] }),
      null,
      /analytics-wmde-users/,
    ],
    ['LDAP group missing', (s) => ({ ...s, omitLdapGroups: [READONLY] }), null, /ldap.*growthbook-readonly/i],
    [
      'GrowthBook 5xx after retries',
      (s) => s,
      (w) => w.emulator.addFault({ path: '/api/v1/members', status: 502, times: 10 }),
      /growthbook.*502/,
    ],
    ['GrowthBook rejects the key', (s) => s, null, /growthbook.*401/],
    ['GrowthBook readonly key (403)', (s) => s, null, /growthbook.*403.*admin/i],
    [
      'GrowthBook malformed JSON',
      (s) => s,
      (w) => w.emulator.addFault({ path: '/api/v1/members', malformed: true }),
      /growthbook/,
    ],
    [
      'managed project missing',
      (s) => ({ ...s, growthbook: { project: 'prj_missing' } }),
      null,
      /growthbook.*prj_missing|Could not find project/,
    ],
  ];

  for (const [name, shape, arrange, message] of cases) {
    test(name, async () => {
      const w = await given(shape(base()));
      arrange?.(w);
      const env: Record<string, string> = {};
      if (name === 'GrowthBook rejects the key') env.GROWTHBOOK_LDAP_SYNC_API_KEY = 'secret_wrong_key';
      if (name === 'GrowthBook readonly key (403)') env.GROWTHBOOK_LDAP_SYNC_API_KEY = 'secret_readonly_key';
      const r = await w.run(['apply', '--output', 'json'], env);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(w.writes()).toHaveLength(0);
    });
  }

  test('an unreadable LDIF export names the file', async () => {
    const w = await given(base());
    const { rmSync } = await import('node:fs');
    rmSync(`${w.dir}/directory.ldif`);
    const r = await w.run(['apply', '--output', 'json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('directory.ldif');
    expect(w.writes()).toHaveLength(0);
  });
});

describe('configuration, deadline and secrets', () => {
  test('no API key: exit 3 with what to set', async () => {
    const w = await given({ people: [], members: [] });
    const r = await w.run(['plan'], { GROWTHBOOK_LDAP_SYNC_API_KEY: undefined });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('GROWTHBOOK_LDAP_SYNC_API_KEY');
  });

  test('an unknown config key: exit 3 naming it', async () => {
    const w = await given({ people: [], members: [] });
    const { appendFileSync } = await import('node:fs');
    appendFileSync(w.configPath, 'colour: blue\n');
    const r = await w.run(['plan']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/colour.*unknown key/);
  });

  test('an unknown flag is a usage error (exit 3)', async () => {
    const w = await given({ people: [], members: [] });
    const r = await w.run(['plan', '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--dry-run');
  });

  test('SYNC_DEADLINE_SECONDS reached while collecting: exit 6, nothing written', async () => {
    const w = await given({
      people: [{ uid: 'a', ldap: [ADMIN], posix: [GATE] }],
      members: [seedMember('a')],
      emulator: { faults: [{ path: '/api/v1/members', delayMs: 3000 }] },
    });
    const r = await w.run(['apply', '--output', 'json'], { SYNC_DEADLINE_SECONDS: '1' });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('nothing was written');
    expect(w.writes()).toHaveLength(0);
  });

  test('the API key never appears in any output, on success or failure', async () => {
    const w = await given({
      people: [{ uid: 'a', ldap: [ADMIN], posix: [GATE] }],
      members: [seedMember('a')],
    });
    const outputs = [
      await w.run(['plan', '--output', 'json', '--log-level', 'debug']),
      await w.run(['apply', '--output', 'human', '--log-level', 'debug']),
      await w.run(['check', '--output', 'json', '--log-level', 'debug']),
      await w.run(['explain', 'a', '--output', 'json', '--log-level', 'debug']),
    ];
    w.emulator.addFault({
      path: '/api/v1/members',
      status: 401,
      body: { message: 'Invalid API key' },
      times: 5,
    });
    outputs.push(await w.run(['plan', '--log-level', 'debug']));
    w.gitiles.setMode('error-500');
    outputs.push(await w.run(['check', '--log-level', 'debug']));
    for (const o of outputs) {
      expect(o.stdout + o.stderr).not.toContain(CANARY_KEY);
      expect(o.stdout + o.stderr).not.toContain(CANARY_KEY.slice(7));
    }
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 0, 0, 4, 4]);
  });
});
