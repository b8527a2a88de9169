import { describe, expect, test } from 'vitest';
import {
  type Action,
  type Directory,
  joinIdentities,
  type Member,
  type PosixGroups,
  planActions,
  type Scope,
} from '../../src/core/index.js';
import {
  ADMIN_GROUP,
  ELEVATED_GROUP,
  ELEVATED_ROLE,
  GATE,
  member,
  POLICY,
  PROJECT,
  PROJECTS,
  projectRole,
  READONLY_GROUP,
  SCOPE,
} from './fixtures.js';

const dn = (uid: string) => `uid=${uid},ou=people,dc=wikimedia,dc=org`;

interface PersonSpec {
  uid: string;
  mail: string | null;
  /** Further `mail` values. */
  aliases?: string[];
  ldap?: string[];
  posix?: string[];
}

function world(people: PersonSpec[]) {
  const groupNames = [ADMIN_GROUP, ELEVATED_GROUP, READONLY_GROUP];
  const directory: Directory = {
    ignoredMembers: [],
    people: people.map((p) => ({
      dn: dn(p.uid),
      uid: p.uid,
      mails: [...(p.mail ? [p.mail] : []), ...(p.aliases ?? [])],
    })),
    groups: groupNames.map((name) => ({
      dn: `cn=${name},ou=groups,dc=wikimedia,dc=org`,
      name,
      memberDns: people.filter((p) => p.ldap?.includes(name)).map((p) => dn(p.uid)),
    })),
  };
  const posix: PosixGroups = { groups: {} };
  for (const name of [GATE, 'analytics-product-users', 'analytics-wmde-users', 'deployment']) {
    posix.groups[name] = people.filter((p) => p.posix?.includes(name)).map((p) => p.uid);
  }
  return joinIdentities(directory, posix, [POLICY]);
}

const plan = (members: Member[], people: PersonSpec[], scope: Scope = SCOPE, projects = PROJECTS) =>
  planActions({ members, people: world(people), projects, scope });

const only = (members: Member[], people: PersonSpec[], scope?: Scope) => {
  const actions = plan(members, people, scope);
  expect(actions).toHaveLength(1);
  return actions[0] as Action;
};

const admin: PersonSpec = { uid: 'ann', mail: 'ann@wikimedia.org', ldap: [ADMIN_GROUP], posix: [GATE] };
const reader: PersonSpec = { uid: 'ann', mail: 'ann@wikimedia.org', ldap: [READONLY_GROUP], posix: [GATE] };
const elevated: PersonSpec = {
  uid: 'ann',
  mail: 'ann@wikimedia.org',
  ldap: [ELEVATED_GROUP],
  posix: [GATE, 'deployment'],
};
const nobody: PersonSpec = { uid: 'ann', mail: 'ann@wikimedia.org', ldap: [], posix: [GATE] };
const ann = (o: Partial<Member> = {}) => member({ email: 'ann@wikimedia.org', ...o });

describe('classification', () => {
  type Row = [proves: string, m: Member, p: PersonSpec, kind: string, from: string, to: string];
  const rows: Row[] = [
    ['grant: no access anywhere, entitled', ann(), admin, 'grant', 'noaccess', 'admin'],
    [
      'grant: noaccess project entry overrides a global readonly',
      ann({ globalRole: 'readonly', projectRoles: [projectRole('noaccess')] }),
      reader,
      'grant',
      'noaccess',
      'readonly',
    ],
    [
      'noop: project role equals target',
      ann({ projectRoles: [projectRole('admin')] }),
      admin,
      'noop',
      'admin',
      'admin',
    ],
    [
      'noop: global role equals target, no entry',
      ann({ globalRole: 'readonly' }),
      reader,
      'noop',
      'readonly',
      'readonly',
    ],
    ['noop: no access and none due', ann(), nobody, 'noop', 'noaccess', 'noaccess'],
    [
      'upgrade: readonly → elevated',
      ann({ projectRoles: [projectRole('readonly')] }),
      elevated,
      'upgrade',
      'readonly',
      ELEVATED_ROLE,
    ],
    [
      'downgrade: admin → readonly',
      ann({ projectRoles: [projectRole('admin')] }),
      reader,
      'downgrade',
      'admin',
      'readonly',
    ],
    [
      'revoke: admin entry, no groups',
      ann({ projectRoles: [projectRole('admin')] }),
      nobody,
      'revoke',
      'admin',
      'noaccess',
    ],
    [
      'revoke: global readonly counts as access',
      ann({ globalRole: 'readonly' }),
      nobody,
      'revoke',
      'readonly',
      'noaccess',
    ],
    [
      'downgrade: a role outside rank ranks above admin',
      ann({ projectRoles: [projectRole('engineer')] }),
      admin,
      'downgrade',
      'engineer',
      'admin',
    ],
    [
      'revoke: a role outside rank, target noaccess',
      ann({ projectRoles: [projectRole('engineer')] }),
      nobody,
      'revoke',
      'engineer',
      'noaccess',
    ],
    [
      'downgrade: same role but environment limits on the managed entry',
      ann({ projectRoles: [projectRole('readonly', ['production'])] }),
      reader,
      'downgrade',
      'readonly',
      'readonly',
    ],
    [
      'downgrade: same role but additional roles on the managed entry',
      ann({
        projectRoles: [
          { ...projectRole('readonly'), additionalRoles: [{ role: 'engineer', environments: [] }] },
        ],
      }),
      reader,
      'downgrade',
      'readonly',
      'readonly',
    ],
    [
      'downgrade: two entries for the managed project',
      ann({ projectRoles: [projectRole('readonly'), projectRole('admin')] }),
      reader,
      'downgrade',
      'readonly',
      'readonly',
    ],
    [
      'other projects do not count as access here',
      ann({ projectRoles: [projectRole('admin', [], 'prj_other')] }),
      reader,
      'grant',
      'noaccess',
      'readonly',
    ],
    ['custom role id is kept verbatim', ann(), elevated, 'grant', 'noaccess', ELEVATED_ROLE],
  ];
  for (const [proves, m, p, kind, from, to] of rows) {
    test(proves, () => {
      expect(only([m], [p])).toMatchObject({ kind, from, to });
    });
  }

  test('member e-mail matches LDAP mail trimmed and case-insensitively', () => {
    const a = only([member({ email: ' Ann@Wikimedia.ORG ' })], [admin]);
    expect(a).toMatchObject({ kind: 'grant', uid: 'ann', rule: '1' });
  });

  test('an in-scope member with no LDAP person is revoked to noaccess', () => {
    const a = only([ann({ projectRoles: [projectRole('readonly')] })], []);
    expect(a).toMatchObject({ kind: 'revoke', uid: null, rule: null, to: 'noaccess' });
    expect(a.reason).toContain('no LDAP person');
  });

  test('the gate beats admin in the plan too', () => {
    const gated = { ...admin, posix: [] };
    expect(only([ann({ projectRoles: [projectRole('admin')] })], [gated])).toMatchObject({ kind: 'revoke' });
  });
});

describe('scope and skips', () => {
  test.each([
    ['outside-email-domains', member({ email: 'x@gmail.com' }), SCOPE],
    ['protected-email', ann(), { ...SCOPE, protectedEmails: ['ANN@wikimedia.org'] }],
    ['global-admin', ann({ globalRole: 'admin' }), SCOPE],
    ['managed-by-idp', ann({ managedbyIdp: true }), SCOPE],
  ] as Array<[string, Member, Scope]>)('%s', (reason, m, scope) => {
    const a = only([m], [{ ...nobody, mail: m.email }], scope);
    expect(a).toMatchObject({ kind: 'skip', reason, to: null });
  });

  test('no email domains configured: every domain is in scope', () => {
    const a = only([member({ email: 'x@gmail.com' })], [{ ...admin, mail: 'x@gmail.com' }], {
      ...SCOPE,
      emailDomains: [],
    });
    expect(a.kind).toBe('grant');
  });

  test('two LDAP people with one mail: skipped as ambiguous, never granted', () => {
    const a = only([ann()], [admin, { ...admin, uid: 'ann2' }]);
    expect(a).toMatchObject({ kind: 'skip', reason: 'ambiguous-identity' });
  });

  test('two members whose e-mails differ only in case: both skipped as ambiguous', () => {
    const actions = plan([ann(), member({ id: 'u_2', email: 'ANN@wikimedia.org' })], [admin]);
    expect(actions.map((a) => a.reason)).toEqual(['ambiguous-identity', 'ambiguous-identity']);
  });

  test('ambiguity never blocks a revoke: duplicate members nobody is entitled to are both revoked', () => {
    const actions = plan(
      [
        ann({ projectRoles: [projectRole('admin')] }),
        member({ id: 'u_2', email: 'ANN@wikimedia.org', projectRoles: [projectRole('admin')] }),
      ],
      [],
    );
    expect(actions.map((a) => `${a.kind}:${a.to}`)).toEqual(['revoke:noaccess', 'revoke:noaccess']);
  });

  test('two LDAP people with one mail, neither entitled: revoked, not skipped', () => {
    const a = only(
      [ann({ projectRoles: [projectRole('admin')] })],
      [nobody, { ...nobody, uid: 'ann2', posix: [] }],
    );
    expect(a).toMatchObject({ kind: 'revoke', to: 'noaccess', uid: null });
    expect(a.reason).toContain('2 LDAP people');
  });

  test('every mail value of a person joins: a member under a second mail gets the role', () => {
    const a = only(
      [member({ email: 'alias@wikimedia.org' })],
      [{ ...admin, aliases: ['alias@wikimedia.org'] }],
    );
    expect(a).toMatchObject({ kind: 'grant', uid: 'ann', to: 'admin' });
  });

  test('a second mail shared with another person makes that mail ambiguous', () => {
    const mallory: PersonSpec = {
      uid: 'mallory',
      mail: 'mallory@wikimedia.org',
      aliases: ['ann@wikimedia.org'],
      ldap: [],
      posix: [GATE],
    };
    const actions = plan([ann()], [admin, mallory]);
    expect(actions.find((x) => x.memberId === 'u_ann')).toMatchObject({
      kind: 'skip',
      reason: 'ambiguous-identity',
    });
  });
});

describe('pending', () => {
  test('an entitled person with no member is pending', () => {
    expect(only([], [admin])).toMatchObject({ kind: 'pending', memberId: null, to: 'admin', uid: 'ann' });
  });
  test('a person with two mails is pending once, under the first in-scope mail', () => {
    const a = only([], [{ ...admin, mail: 'ann@gmail.com', aliases: ['ann@wikimedia.org'] }]);
    expect(a).toMatchObject({ kind: 'pending', email: 'ann@wikimedia.org' });
  });
  test('not pending when the person has a member under another of their mails', () => {
    const actions = plan(
      [member({ email: 'alias@wikimedia.org' })],
      [{ ...admin, aliases: ['alias@wikimedia.org'] }],
    );
    expect(actions.map((a) => a.kind)).toEqual(['grant']);
  });
  test('not pending: no entitlement, outside domains, protected, ambiguous, no mail', () => {
    expect(plan([], [nobody])).toEqual([]);
    expect(plan([], [{ ...admin, mail: 'ann@gmail.com' }])).toEqual([]);
    expect(plan([], [admin], { ...SCOPE, protectedEmails: ['ann@wikimedia.org'] })).toEqual([]);
    expect(plan([], [admin, { ...admin, uid: 'ann2' }])).toEqual([]);
    expect(
      plan(
        [],
        [
          { ...admin, aliases: ['shared@wikimedia.org'] },
          { ...nobody, uid: 'x', mail: 'shared@wikimedia.org' },
        ],
      ),
    ).toEqual([]);
    expect(plan([], [{ ...admin, mail: null }])).toEqual([]);
  });
});

describe('order', () => {
  test('revoke → downgrade → upgrade → grant, then rank descending, then e-mail', () => {
    const people: PersonSpec[] = [
      { uid: 'a', mail: 'a@wikimedia.org', ldap: [READONLY_GROUP], posix: [GATE] },
      { uid: 'b', mail: 'b@wikimedia.org', ldap: [], posix: [GATE] },
      { uid: 'c', mail: 'c@wikimedia.org', ldap: [], posix: [GATE] },
      { uid: 'd', mail: 'd@wikimedia.org', ldap: [ADMIN_GROUP], posix: [GATE] },
      { uid: 'e', mail: 'e@wikimedia.org', ldap: [READONLY_GROUP], posix: [GATE] },
      { uid: 'f', mail: 'f@wikimedia.org', ldap: [], posix: [GATE] },
    ];
    const members = [
      member({ email: 'a@wikimedia.org' }), // grant
      member({ email: 'b@wikimedia.org', projectRoles: [projectRole('readonly')] }), // revoke from readonly
      member({ email: 'c@wikimedia.org', projectRoles: [projectRole('admin')] }), // revoke from admin
      member({ email: 'd@wikimedia.org', projectRoles: [projectRole('readonly')] }), // upgrade
      member({ email: 'e@wikimedia.org', projectRoles: [projectRole('admin')] }), // downgrade
      member({ email: 'f@wikimedia.org', projectRoles: [projectRole('admin')] }), // revoke from admin
    ];
    const order = plan(members, people).map((a) => `${a.kind}:${a.email[0]}`);
    expect(order).toEqual(['revoke:c', 'revoke:f', 'revoke:b', 'downgrade:e', 'upgrade:d', 'grant:a']);
  });
});

test('the managed project id comes from the projects list, and every action carries it', () => {
  const actions = plan([ann({ projectRoles: [projectRole('admin', [], 'prj_x')] })], [admin], SCOPE, [
    { id: 'prj_x', policy: POLICY },
  ]);
  expect(actions[0]).toMatchObject({ kind: 'noop', project: 'prj_x' });
  expect(PROJECT).not.toBe('prj_x');
});
