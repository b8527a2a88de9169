// Several managed projects in one run against the emulator over HTTP: each project's policy, one
// write per member, the breaker per project, and an unmanaged project left exactly as it was.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  ADMIN,
  GATE,
  OTHER_PROJECT,
  PROJECT,
  READONLY,
  seedMember,
  WIKIMEDIA_POLICY,
  WMDE_ADMIN,
  WMDE_GATE,
  WMDE_POLICY,
  WMDE_PROJECT,
  worldPerTest,
} from '../helpers/world.js';

const PROJECTS = [
  { id: PROJECT, policy: WIKIMEDIA_POLICY },
  { id: WMDE_PROJECT, policy: WMDE_POLICY },
];
const given = worldPerTest({ projects: PROJECTS });

const entry = (project: string, role: string, environments: string[] = []) => ({
  project,
  role,
  environments,
});
const unmanaged = entry(OTHER_PROJECT, 'engineer', ['staging']);
/** An entry written back as GrowthBook listed it (with the flag it computes). */
const asRead = (e: ReturnType<typeof entry>) => ({
  ...e,
  limitAccessByEnvironment: e.environments.length > 0,
});

describe('two managed projects, one writer', () => {
  test('each project by its own policy; one POST per member carries every changed entry; converged', async () => {
    const w = await given({
      people: [
        // Both policies give ann something: admin here, readonly in WMDE.
        { uid: 'ann', ldap: [ADMIN, READONLY], posix: [GATE, WMDE_GATE] },
        // Only WMDE's gate and admin group: nothing in the Wikimedia project.
        { uid: 'ben', ldap: [WMDE_ADMIN], posix: [WMDE_GATE] },
      ],
      members: [
        seedMember('ann', { projectRoles: [unmanaged, entry(PROJECT, 'readonly')] }),
        seedMember('ben', { projectRoles: [entry(PROJECT, 'admin'), unmanaged] }),
      ],
    });
    const plan = await w.runJson('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(
      plan.doc.projects.map((p) => [p.id, p.name, p.summary.grant, p.summary.upgrade, p.summary.revoke]),
    ).toEqual([
      [PROJECT, 'Wikimedia', 0, 1, 1],
      [WMDE_PROJECT, 'WMDE', 2, 0, 0],
    ]);
    expect(plan.doc.summary).toMatchObject({ revoke: 1, upgrade: 1, grant: 2 });
    expect(
      plan.doc.actions
        .filter((a) => a.kind !== 'noop')
        .map((a) => `${a.project} ${a.email} ${a.kind} ${a.to} ${a.rule}`),
    ).toEqual([
      `${PROJECT} ben@wikimedia.org revoke noaccess null`,
      `${WMDE_PROJECT} ben@wikimedia.org grant admin w1`,
      `${PROJECT} ann@wikimedia.org upgrade admin 1`,
      `${WMDE_PROJECT} ann@wikimedia.org grant readonly w2`,
    ]);

    w.emulator.resetRequests();
    const apply = await w.runJson('apply');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.doc.apply).toMatchObject({ applied: 4, failed: 0, writes: 2 });
    // The request log: per member one fresh read and one write, then one read to verify.
    const log = w.emulator.requests.map(
      (r) => `${r.method} ${r.path}${r.query.userEmail ? `?userEmail=${r.query.userEmail}` : ''}`,
    );
    expect(log.filter((l) => !l.startsWith('GET /api/v1/projects/'))).toEqual([
      'GET /api/v1/members',
      'GET /api/v1/members?userEmail=ben@wikimedia.org',
      'POST /api/v1/members/u_ben/role',
      'GET /api/v1/members?userEmail=ann@wikimedia.org',
      'POST /api/v1/members/u_ann/role',
      'GET /api/v1/members',
    ]);
    expect(w.writes()).toEqual([
      {
        id: 'u_ben',
        body: {
          member: {
            role: 'noaccess',
            environments: [],
            projectRoles: [entry(PROJECT, 'noaccess'), asRead(unmanaged), entry(WMDE_PROJECT, 'admin')],
          },
        },
      },
      {
        id: 'u_ann',
        body: {
          member: {
            role: 'noaccess',
            environments: [],
            projectRoles: [asRead(unmanaged), entry(PROJECT, 'admin'), entry(WMDE_PROJECT, 'readonly')],
          },
        },
      },
    ]);
    // The unmanaged project is exactly as it was.
    for (const id of ['u_ann', 'u_ben']) {
      expect(w.emulator.member(id)?.projectRoles?.find((p) => p.project === OTHER_PROJECT)).toMatchObject(
        unmanaged,
      );
    }
    const again = await w.runJson('plan');
    expect(again.doc.actions.filter((a) => a.kind !== 'noop')).toEqual([]);
  });

  test("a member's other managed entry changed between the plan and the fresh read is carried, not undone", async () => {
    const w = await given({
      people: [{ uid: 'cat', ldap: [], posix: [GATE] }],
      members: [seedMember('cat', { projectRoles: [entry(PROJECT, 'admin'), unmanaged] })],
    });
    // The plan revokes cat in the Wikimedia project and leaves WMDE alone (no entry, noaccess).
    // Just before the fresh read, someone gives cat readonly in WMDE by hand.
    w.emulator.setOnRequest((req) => {
      if (req.method === 'GET' && req.query.userEmail === 'cat@wikimedia.org') {
        w.emulator.setOnRequest(undefined);
        w.emulator.setMember(
          seedMember('cat', {
            projectRoles: [entry(PROJECT, 'admin'), unmanaged, entry(WMDE_PROJECT, 'readonly')],
          }),
        );
      }
    });
    const apply = await w.runJson('apply');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.doc.apply).toMatchObject({ applied: 1, failed: 0, writes: 1 });
    const body = w.writes()[0]?.body as { member: { projectRoles: unknown[] } };
    expect(body.member.projectRoles).toEqual([
      entry(PROJECT, 'noaccess'),
      asRead(unmanaged),
      asRead(entry(WMDE_PROJECT, 'readonly')),
    ]);
    expect(w.emulator.member('u_cat')?.projectRoles?.find((p) => p.project === WMDE_PROJECT)?.role).toBe(
      'readonly',
    );
    // The next run sees the hand-made WMDE entry and applies WMDE's own policy to it.
    const next = await w.runJson('plan');
    expect(next.doc.actions.filter((a) => a.kind !== 'noop').map((a) => `${a.project} ${a.kind}`)).toEqual([
      `${WMDE_PROJECT} revoke`,
    ]);
  });

  test('a project that trips its breaker stops the whole run: exit 2, nothing written, the JSON says which', async () => {
    const people = Array.from({ length: 6 }, (_, i) => ({ uid: `p${i}`, ldap: [READONLY], posix: [GATE] }));
    const w = await given({
      people,
      members: people.map((p) =>
        seedMember(p.uid, { projectRoles: [entry(PROJECT, 'readonly'), entry(WMDE_PROJECT, 'admin')] }),
      ),
    });
    const r = await w.runJson('apply');
    expect(r.code).toBe(2);
    expect(w.writes()).toHaveLength(0);
    expect(r.doc.safety).toMatchObject({ tripped: true, exceededIn: [WMDE_PROJECT] });
    expect(r.doc.projects.map((p) => [p.id, p.safety.tripped, p.safety.revoke, p.safety.threshold])).toEqual([
      [PROJECT, false, 0, 5],
      [WMDE_PROJECT, true, 6, 5],
    ]);
    const overridden = await w.runJson('apply', ['--override-threshold']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(w.writes()).toHaveLength(6);
  });

  test('audit lines carry the project; the human table is grouped by project', async () => {
    const w = await given({
      people: [{ uid: 'ann', ldap: [ADMIN, READONLY], posix: [GATE, WMDE_GATE] }],
      members: [seedMember('ann')],
    });
    const r = await w.run(['plan', '--output', 'human']);
    expect(r.code, r.stderr).toBe(0);
    const audits = r.stderr
      .split('\n')
      .filter((l) => l.includes('"audit":true'))
      .map((l) => JSON.parse(l) as { project: string; kind: string });
    expect(audits.map((a) => `${a.project} ${a.kind}`)).toEqual([
      `${PROJECT} grant`,
      `${WMDE_PROJECT} grant`,
    ]);
    const wikimedia = r.stdout.indexOf(`Project ${PROJECT} (Wikimedia)`);
    const wmde = r.stdout.indexOf(`Project ${WMDE_PROJECT} (WMDE)`);
    expect(wikimedia).toBeGreaterThan(0);
    expect(wmde).toBeGreaterThan(wikimedia);
    expect(r.stdout.slice(wikimedia, wmde)).toMatch(
      /grant\s+#1\s+ann@wikimedia.org\s+ann\s+noaccess\s+admin/,
    );
    expect(r.stdout.slice(wmde)).toMatch(/grant\s+#1\s+ann@wikimedia.org\s+ann\s+noaccess\s+readonly/);
    expect(r.stdout).toContain('(1 write(s), one per member)');
  });

  test('explain shows the decision in every managed project', async () => {
    const w = await given({
      people: [{ uid: 'ann', ldap: [ADMIN, READONLY], posix: [GATE] }],
      members: [seedMember('ann')],
    });
    const r = await w.run(['explain', 'ann', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(
      doc.people[0].projects.map(
        (p: { id: string; gate: { held: string[] }; decision: { role: string } }) => [
          p.id,
          p.gate.held,
          p.decision.role,
        ],
      ),
    ).toEqual([
      [PROJECT, [GATE], 'admin'],
      [WMDE_PROJECT, [], 'noaccess'],
    ]);
    const human = await w.run(['explain', 'ann', '--output', 'human']);
    expect(human.stdout).toContain(`project ${WMDE_PROJECT} (WMDE)`);
    expect(human.stdout).toContain('NOT held');
  });

  test('check verifies every project exists and every policy group exists', async () => {
    const w = await given({ people: [{ uid: 'ann', ldap: [ADMIN], posix: [GATE] }], members: [] });
    const ok = await w.run(['check', '--output', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc.projects.map((p: { id: string; ok: boolean }) => [p.id, p.ok])).toEqual([
      [PROJECT, true],
      [WMDE_PROJECT, true],
    ]);
    // A project id that does not exist in GrowthBook is named.
    const config = parse(readFileSync(w.configPath, 'utf8'));
    config.projects.push({ id: 'prj_missing', policy: WMDE_POLICY });
    writeFileSync(w.configPath, stringify(config));
    const missing = await w.run(['check', '--output', 'json']);
    expect(missing.code).toBe(4);
    const growthbook = JSON.parse(missing.stdout).sources.find(
      (s: { source: string }) => s.source === 'growthbook',
    );
    expect(growthbook.error).toMatch(/projects\/prj_missing answered 400: Could not find project/);
    expect(JSON.parse(missing.stdout).projects.map((p: { id: string; ok: boolean }) => [p.id, p.ok])).toEqual(
      [
        [PROJECT, false],
        [WMDE_PROJECT, false],
        ['prj_missing', false],
      ],
    );
    const plan = await w.run(['plan']);
    expect(plan.code).toBe(4);
    expect(plan.stderr).toContain('prj_missing');
  });

  test("check names a group only the second project's policy uses when it is missing", async () => {
    const w = await given({
      people: [{ uid: 'ann', ldap: [ADMIN], posix: [GATE] }],
      members: [],
      omitLdapGroups: [WMDE_ADMIN],
    });
    const r = await w.run(['check', '--output', 'json']);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    const ldap = doc.sources.find((x: { source: string }) => x.source === 'ldap');
    expect(ldap.error).toContain(WMDE_ADMIN);
    expect(doc.ok).toBe(false);
    const plan = await w.run(['plan']);
    expect(plan.code).toBe(4);
    expect(w.writes()).toHaveLength(0);
  });

  test('a saved plan of two projects applies as saved, one write per member', async () => {
    const w = await given({
      people: [{ uid: 'ann', ldap: [ADMIN, READONLY], posix: [GATE, WMDE_GATE] }],
      members: [seedMember('ann', { projectRoles: [unmanaged] })],
    });
    const out = join(w.dir, 'plan.json');
    expect((await w.run(['plan', '--out', out, '--output', 'json'])).code).toBe(0);
    const r = await w.runJson('apply', ['--plan', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.apply).toMatchObject({ applied: 2, writes: 1 });
    expect(w.emulator.member('u_ann')?.projectRoles?.map((p) => `${p.project}:${p.role}`)).toEqual([
      `${OTHER_PROJECT}:engineer`,
      `${PROJECT}:admin`,
      `${WMDE_PROJECT}:readonly`,
    ]);
  });

  test('a saved plan is refused when the set of managed projects changed', async () => {
    const w = await given({
      people: [{ uid: 'ann', ldap: [ADMIN], posix: [GATE, WMDE_GATE] }],
      members: [seedMember('ann')],
    });
    const out = join(w.dir, 'plan.json');
    expect((await w.run(['plan', '--out', out, '--output', 'json'])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).projects).toEqual([PROJECT, WMDE_PROJECT]);
    const config = parse(readFileSync(w.configPath, 'utf8'));
    config.projects = config.projects.slice(0, 1);
    writeFileSync(w.configPath, stringify(config));
    const r = await w.runJson('apply', ['--plan', out]);
    expect(r.code).toBe(5);
    expect(w.writes()).toHaveLength(0);
    expect(r.stderr).toContain(`it manages ${WMDE_PROJECT}, which the configuration no longer does`);
  });
});
