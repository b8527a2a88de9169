// Several managed projects: each (member, project) pair planned with that project's policy; scope,
// ambiguity, the pinned global role and the seat budget decided for the whole organization.
import { describe, expect, test } from 'vitest';
import {
  type Action,
  buildRoleUpdate,
  checkProjectsSafety,
  type Directory,
  groupWrites,
  joinIdentities,
  limitSeats,
  type ManagedProject,
  type Member,
  memberFingerprint,
  type Policy,
  planActions,
  planDifferences,
  projectSetDifference,
  verifyWrittenMember,
} from '../../src/core/index.js';
import { ADMIN_GROUP, GATE, member, POLICY, projectRole, READONLY_GROUP, SCOPE } from './fixtures.js';

const WMF = 'prj_wikimedia';
const WMDE = 'prj_wmde';
/** WMDE's own policy: its own gate, one rule, a different rank. */
const WMDE_POLICY: Policy = {
  gate: ['analytics-wmde-users'],
  rules: [{ id: 'w1', ldapGroup: 'wmde-growthbook', role: 'experimenter' }],
  rank: ['noaccess', 'readonly', 'experimenter'],
};
const PROJECTS: ManagedProject[] = [
  { id: WMF, policy: POLICY },
  { id: WMDE, policy: WMDE_POLICY },
];

interface Person {
  uid: string;
  ldap?: string[];
  posix?: string[];
  mail?: string;
}
const dn = (uid: string) => `uid=${uid},ou=people,dc=wikimedia,dc=org`;

function people(list: Person[]) {
  const groups = [ADMIN_GROUP, READONLY_GROUP, 'wmde-growthbook'];
  const directory: Directory = {
    ignoredMembers: [],
    people: list.map((p) => ({ dn: dn(p.uid), uid: p.uid, mails: [p.mail ?? `${p.uid}@wikimedia.org`] })),
    groups: groups.map((name) => ({
      dn: `cn=${name},ou=groups,dc=wikimedia,dc=org`,
      name,
      memberDns: list.filter((p) => p.ldap?.includes(name)).map((p) => dn(p.uid)),
    })),
  };
  const posix = {
    groups: Object.fromEntries(
      [GATE, 'analytics-wmde-users'].map((g) => [
        g,
        list.filter((p) => p.posix?.includes(g)).map((p) => p.uid),
      ]),
    ),
  };
  return joinIdentities(
    directory,
    posix,
    PROJECTS.map((p) => p.policy),
  );
}

const plan = (members: Member[], list: Person[], scope = SCOPE) =>
  planActions({ members, people: people(list), projects: PROJECTS, scope });
const line = (a: Action) => `${a.project}:${a.email.split('@')[0]}:${a.kind}:${a.from}→${a.to}`;

const both: Person = {
  uid: 'ann',
  ldap: [ADMIN_GROUP, 'wmde-growthbook'],
  posix: [GATE, 'analytics-wmde-users'],
};

describe('each project with its own policy', () => {
  test('one person, two projects, two decisions', () => {
    const actions = plan([member({ email: 'ann@wikimedia.org' })], [both]);
    expect(actions.map(line)).toEqual([
      `${WMF}:ann:grant:noaccess→admin`,
      `${WMDE}:ann:grant:noaccess→experimenter`,
    ]);
    expect(actions.map((a) => a.rule)).toEqual(['1', 'w1']);
  });

  test("each project's gate is its own: outside WMDE's gate, no access there whatever the groups", () => {
    const notWmde: Person = { ...both, posix: [GATE] };
    const actions = plan(
      [member({ email: 'ann@wikimedia.org', projectRoles: [projectRole('experimenter', [], WMDE)] })],
      [notWmde],
    );
    expect(actions.map(line)).toEqual([
      `${WMDE}:ann:revoke:experimenter→noaccess`,
      `${WMF}:ann:grant:noaccess→admin`,
    ]);
    expect(actions[0]?.reason).toContain('analytics-wmde-users');
  });

  test('effective access in a project without an entry is the global role, per project', () => {
    const actions = plan(
      [member({ email: 'ann@wikimedia.org', globalRole: 'readonly' })],
      [{ uid: 'ann', ldap: [READONLY_GROUP], posix: [GATE] }],
    );
    expect(actions.map(line)).toEqual([
      `${WMDE}:ann:revoke:readonly→noaccess`,
      `${WMF}:ann:noop:readonly→readonly`,
    ]);
  });

  test('pending per project: an entitled person without a member is pending where entitled', () => {
    const actions = plan([], [{ uid: 'bob', ldap: [READONLY_GROUP], posix: [GATE] }, both]);
    expect(actions.map(line)).toEqual([
      `${WMF}:ann:pending:null→admin`,
      `${WMDE}:ann:pending:null→experimenter`,
      `${WMF}:bob:pending:null→readonly`,
    ]);
  });
});

describe('scope is organization-wide', () => {
  test('a skipped member is skipped in every managed project, never written', () => {
    const actions = plan([member({ email: 'ann@gmail.com' })], [{ ...both, mail: 'ann@gmail.com' }]);
    expect(actions.map((a) => `${a.project}:${a.kind}:${a.reason}`)).toEqual([
      `${WMF}:skip:outside-email-domains`,
      `${WMDE}:skip:outside-email-domains`,
    ]);
  });

  test('an ambiguous identity entitled in one project is skipped in all of them', () => {
    const actions = plan(
      [member({ email: 'ann@wikimedia.org', projectRoles: [projectRole('admin')] })],
      [
        { uid: 'ann', ldap: ['wmde-growthbook'], posix: ['analytics-wmde-users'] },
        { uid: 'ann2', mail: 'ann@wikimedia.org' },
      ],
    );
    expect(actions.map((a) => `${a.project}:${a.kind}:${a.reason}`)).toEqual([
      `${WMF}:skip:ambiguous-identity`,
      `${WMDE}:skip:ambiguous-identity`,
    ]);
  });
});

describe('order: one write per member, by its most severe change', () => {
  test("a member's changes stay together, led by the revoke", () => {
    const members = [
      member({ email: 'ann@wikimedia.org', projectRoles: [projectRole('experimenter', [], WMDE)] }),
      member({ email: 'bob@wikimedia.org', projectRoles: [projectRole('admin')] }),
      member({ email: 'cat@wikimedia.org' }),
    ];
    const actions = plan(members, [
      { ...both, posix: [GATE] }, // ann: revoke in WMDE, grant in WMF
      { uid: 'bob', ldap: [READONLY_GROUP], posix: [GATE] }, // bob: downgrade in WMF
      { uid: 'cat', ldap: ['wmde-growthbook'], posix: [GATE, 'analytics-wmde-users'] }, // cat: grant in WMDE
    ]);
    expect(actions.filter((a) => a.kind !== 'noop').map(line)).toEqual([
      `${WMDE}:ann:revoke:experimenter→noaccess`,
      `${WMF}:ann:grant:noaccess→admin`,
      `${WMF}:bob:downgrade:admin→readonly`,
      `${WMDE}:cat:grant:noaccess→experimenter`,
    ]);
    expect(
      groupWrites(actions).map((w) => `${w.email}:${w.changes.map((c) => c.project).join('+')}`),
    ).toEqual([`ann@wikimedia.org:${WMDE}+${WMF}`, `bob@wikimedia.org:${WMF}`, `cat@wikimedia.org:${WMDE}`]);
  });
});

describe('seat budget over the organization', () => {
  const members = [
    member({ email: 'ann@wikimedia.org', projectRoles: [projectRole('readonly')] }),
    member({ email: 'bob@wikimedia.org' }),
  ];
  const list: Person[] = [both, { uid: 'bob', ldap: ['wmde-growthbook'], posix: ['analytics-wmde-users'] }];

  test('a member already seated in one project takes no new seat for another', () => {
    const out = limitSeats(plan(members, list), 2);
    expect(out.filter((a) => a.kind !== 'noop').map(line)).toEqual([
      `${WMF}:ann:upgrade:readonly→admin`,
      `${WMDE}:ann:grant:noaccess→experimenter`,
      `${WMDE}:bob:grant:noaccess→experimenter`,
    ]);
  });

  test('the budget counts people, not entries: the second person is held back', () => {
    const out = limitSeats(plan(members, list), 1);
    expect(out.filter((a) => a.kind !== 'noop').map((a) => `${line(a)}:${a.reason}`)).toEqual([
      `${WMF}:ann:upgrade:readonly→admin:rule 1: in LDAP growthbook-admin → admin`,
      `${WMDE}:ann:grant:noaccess→experimenter:rule w1: in LDAP wmde-growthbook → experimenter`,
      `${WMDE}:bob:pending:noaccess→experimenter:seat-limit`,
    ]);
  });
});

describe('the breaker is counted per project', () => {
  const act = (project: string, kind: Action['kind'], i: number): Action => ({
    kind,
    project,
    email: `u${i}@wikimedia.org`,
    memberId: `u_${i}`,
    uid: null,
    from: null,
    to: null,
    rule: null,
    ldapGroups: [],
    posixGroups: [],
    reason: '',
    result: 'planned',
  });
  // WMF: 100 members, 6 revokes (T = 10, fine). WMDE: 10 members, 6 revokes (T = 5, trips).
  const actions = [
    ...Array.from({ length: 100 }, (_, i) => act(WMF, i < 6 ? 'revoke' : 'noop', i)),
    ...Array.from({ length: 10 }, (_, i) => act(WMDE, i < 6 ? 'revoke' : 'noop', i)),
  ];

  test('a project trips on its own population even when the total would pass', () => {
    const safety = checkProjectsSafety(actions, [WMF, WMDE], { min: 5, percent: 10 }, { override: false });
    expect(safety.byProject[WMF]).toMatchObject({
      tripped: false,
      threshold: 10,
      population: 100,
      revoke: 6,
    });
    expect(safety.byProject[WMDE]).toMatchObject({ tripped: true, threshold: 5, population: 10, revoke: 6 });
    expect(safety.overall).toMatchObject({ tripped: true, revoke: 12, population: 110, exceededIn: [WMDE] });
  });

  test('--override-threshold lifts it for every project, and the JSON still says which exceeded', () => {
    const safety = checkProjectsSafety(actions, [WMF, WMDE], { min: 5, percent: 10 }, { override: true });
    expect(safety.overall).toMatchObject({ tripped: false, overridden: true, exceededIn: [WMDE] });
  });
});

describe('one body for every changed managed entry', () => {
  const ann = member({
    email: 'ann@wikimedia.org',
    globalRole: 'readonly',
    projectRoles: [projectRole('engineer', ['staging'], 'prj_other'), projectRole('admin')],
  });

  test('both managed entries change in one body; the unmanaged entry goes back as read', () => {
    const { body, owned } = buildRoleUpdate(ann, {
      changes: new Map([
        [WMF, 'readonly'],
        [WMDE, 'experimenter'],
      ]),
      managed: [WMF, WMDE],
      pinnedGlobalRole: 'noaccess',
    });
    expect(body.projectRoles).toEqual([
      projectRole('engineer', ['staging'], 'prj_other'),
      { project: WMF, role: 'readonly', environments: [] },
      { project: WMDE, role: 'experimenter', environments: [] },
    ]);
    expect(owned).toEqual([WMF, WMDE]);
  });

  test('an unchanged managed project that relied on the global role keeps that access explicitly', () => {
    const { body, owned } = buildRoleUpdate(ann, {
      changes: new Map([[WMF, 'noaccess']]),
      managed: [WMF, WMDE],
      pinnedGlobalRole: 'noaccess',
    });
    expect(body.role).toBe('noaccess');
    expect(body.projectRoles.find((p) => p.project === WMDE)).toEqual({
      project: WMDE,
      role: 'readonly',
      environments: [],
    });
    expect(
      verifyWrittenMember({ ...ann, globalRole: 'noaccess', projectRoles: body.projectRoles }, body, owned),
    ).toEqual([]);
  });

  test('verification names the project whose entry did not land', () => {
    const { body, owned } = buildRoleUpdate(ann, {
      changes: new Map([
        [WMF, 'readonly'],
        [WMDE, 'experimenter'],
      ]),
      managed: [WMF, WMDE],
      pinnedGlobalRole: 'noaccess',
    });
    const lost = {
      ...ann,
      globalRole: 'noaccess',
      projectRoles: body.projectRoles.filter((p) => p.project !== WMDE),
    };
    expect(verifyWrittenMember(lost, body, owned)).toEqual([`has 0 entries for project ${WMDE}, expected 1`]);
  });

  test("the fingerprint covers the projects a write changes, not the member's other entries", () => {
    const edited = { ...ann, projectRoles: [...ann.projectRoles, projectRole('readonly', [], WMDE)] };
    expect(memberFingerprint(edited, [WMF])).toBe(memberFingerprint(ann, [WMF]));
    expect(memberFingerprint(edited, [WMF, WMDE])).not.toBe(memberFingerprint(ann, [WMF, WMDE]));
  });
});

describe('saved plans', () => {
  test('a different set of managed projects is named', () => {
    expect(projectSetDifference([WMF, WMDE], [WMDE, WMF])).toBeNull();
    expect(projectSetDifference([WMF], [WMF, WMDE])).toContain(`it does not manage ${WMDE}`);
    expect(projectSetDifference([WMF, WMDE], [WMF])).toContain(
      `it manages ${WMDE}, which the configuration no longer does`,
    );
  });

  test('a decision that changed in one project is reported with its project', () => {
    const ann = member({ email: 'ann@wikimedia.org' });
    const then = plan([ann], [both]);
    const now = plan([ann], [{ ...both, posix: [GATE] }]);
    const basis = new Map([[ann.id, ann]]);
    expect(planDifferences(then, basis, [ann], now, [WMF, WMDE])).toEqual([
      `ann@wikimedia.org in ${WMDE}: now noop → noaccess (saved: grant → experimenter); not in gate POSIX group analytics-wmde-users`,
    ]);
  });
});
