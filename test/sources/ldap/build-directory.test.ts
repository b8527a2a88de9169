import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SourceReadError } from '../../../src/errors.js';
import { buildDirectory } from '../../../src/sources/ldap/build-directory.js';
import { parseLdif } from '../../../src/sources/ldap/parse-ldif.js';

const FIXTURE = readFileSync(new URL('../../fixtures/directory.ldif', import.meta.url), 'utf8');
const PEOPLE = 'ou=people,dc=wikimedia,dc=org';
const GROUPS = 'ou=groups,dc=wikimedia,dc=org';
const CONFIGURED = ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'];

/** The §6 fixture plus extra LDIF entries, built for the given group names. */
const build = (groupNames: string[] = CONFIGURED, extra = '', base = FIXTURE, strictMembers = false) =>
  buildDirectory(
    parseLdif(`${base}\n${extra}`, 'fx.ldif'),
    { peopleBase: PEOPLE, groupBase: GROUPS, groupNames, strictMembers },
    'fx.ldif',
  );

const group = (cn: string, members: string[], objectClass = 'groupOfNames', dn = `cn=${cn},${GROUPS}`) =>
  [`dn: ${dn}`, `objectClass: ${objectClass}`, `cn: ${cn}`, ...members.map((m) => `member: ${m}`), ''].join(
    '\n',
  );

const person = (uid: string, lines: string[] = [], dn = `uid=${uid},${PEOPLE}`) =>
  [`dn: ${dn}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, ...lines, ''].join('\n');

function errorOf(run: () => unknown): SourceReadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceReadError);
    expect((error as SourceReadError).source).toBe('ldap');
    return error as SourceReadError;
  }
  throw new Error('expected a SourceReadError');
}

describe('buildDirectory', () => {
  test('the §6 fixture: mixed-case cns found by the configured lower-case names', () => {
    expect(build()).toEqual({
      ignoredMembers: [],
      groups: [
        {
          dn: `cn=GrowthBook-Admin,${GROUPS}`,
          name: 'growthbook-admin',
          memberDns: [`uid=jexample,${PEOPLE}`],
        },
        {
          dn: `cn=GrowthBook-CustomElevatedAccess,${GROUPS}`,
          name: 'growthbook-customelevatedaccess',
          memberDns: [`uid=qtester,${PEOPLE}`],
        },
        {
          dn: `cn=GrowthBook-ReadOnly,${GROUPS}`,
          name: 'growthbook-readonly',
          memberDns: [`uid=jexample,${PEOPLE}`, `uid=qtester,${PEOPLE}`, `uid=zformer,${PEOPLE}`],
        },
      ],
      people: [
        { dn: `uid=jexample,${PEOPLE}`, uid: 'jexample', mails: ['jexample@example.org'] },
        { dn: `uid=qtester,${PEOPLE}`, uid: 'qtester', mails: ['qtester-ctr@example.org'] },
        { dn: `uid=zformer,${PEOPLE}`, uid: 'zformer', mails: [] },
      ],
    });
  });

  test('a group is returned under the name as configured, whatever its case', () => {
    expect(build(['GROWTHBOOK-ADMIN', 'GrowthBook-ReadOnly']).groups.map((g) => [g.name, g.dn])).toEqual([
      ['GROWTHBOOK-ADMIN', `cn=GrowthBook-Admin,${GROUPS}`],
      ['GrowthBook-ReadOnly', `cn=GrowthBook-ReadOnly,${GROUPS}`],
    ]);
  });

  test('a name requested twice gives one group', () => {
    expect(build(['growthbook-admin', 'growthbook-admin']).groups).toHaveLength(1);
  });

  test('member DNs in another letter case or spacing resolve, and are kept as written', () => {
    const members = [
      'UID=JExample,OU=People,DC=Wikimedia,DC=Org',
      'uid=qtester, ou=people, dc=wikimedia, dc=org',
    ];
    const dir = build(['x'], group('x', members));
    expect(dir.groups[0]?.memberDns).toEqual(members);
  });

  test('the base DNs themselves may differ in case from the entries', () => {
    const dir = buildDirectory(
      parseLdif(FIXTURE, 'fx.ldif'),
      {
        peopleBase: 'OU=People,DC=Wikimedia,DC=ORG',
        groupBase: 'ou=Groups,dc=wikimedia,dc=org',
        groupNames: ['growthbook-admin'],
      },
      'fx.ldif',
    );
    expect(dir.groups).toHaveLength(1);
    expect(dir.people).toHaveLength(3);
  });

  test('empty member values are dropped, not errors', () => {
    const dir = build(['x'], group('x', ['', `uid=jexample,${PEOPLE}`, ' ']));
    expect(dir.groups[0]?.memberDns).toEqual([`uid=jexample,${PEOPLE}`]);
  });

  test('a group whose only member value is empty is an empty group', () => {
    expect(build(['x'], group('x', [''])).groups[0]?.memberDns).toEqual([]);
  });

  test('mail: every value, trimmed and de-duplicated; absent or blank values dropped', () => {
    const extra = [
      person('a', ['mail:  A.Person@Example.org  ', 'mail: second@example.org']),
      person('b', ['mail:']),
      person('c'),
    ].join('\n');
    const people = build(['growthbook-admin'], extra).people.slice(3);
    expect(people).toEqual([
      { dn: `uid=a,${PEOPLE}`, uid: 'a', mails: ['A.Person@Example.org', 'second@example.org'] },
      { dn: `uid=b,${PEOPLE}`, uid: 'b', mails: [] },
      { dn: `uid=c,${PEOPLE}`, uid: 'c', mails: [] },
    ]);
  });

  test('several uid values: the one in the RDN is the shell name', () => {
    const people = build(['growthbook-admin'], person('alias', ['uid: real'], `uid=Real,${PEOPLE}`)).people;
    expect(people.at(-1)).toEqual({ dn: `uid=Real,${PEOPLE}`, uid: 'real', mails: [] });
  });

  test('every person under the people base is returned, including deeper ones; entries without uid are not people', () => {
    const extra = [
      person('deep', [], `uid=deep,ou=contractors,${PEOPLE}`),
      `dn: cn=robot,${PEOPLE}\ncn: robot\n`,
    ].join('\n');
    expect(build(['growthbook-admin'], extra).people.map((p) => p.uid)).toEqual([
      'jexample',
      'qtester',
      'zformer',
      'deep',
    ]);
  });

  test('entries outside the people base are not people', () => {
    const extra = person('tool', [], 'uid=tool,ou=servicegroups,dc=wikimedia,dc=org');
    expect(build(['growthbook-admin'], extra).people.map((p) => p.uid)).not.toContain('tool');
  });
});

describe('buildDirectory refuses what it cannot trust', () => {
  const cases: Array<[proves: string, names: string[], extra: string, message: string | RegExp]> = [
    [
      'every missing group is named in one error, with the base',
      ['growthbook-admin', 'growthbook-auditors', 'growthbook-viewers'],
      '',
      `ldap: fx.ldif: no groupOfNames "growthbook-auditors", "growthbook-viewers" under ${GROUPS}`,
    ],
    [
      'an entry that is not a groupOfNames is not the group',
      ['posix-only'],
      group('posix-only', [], 'posixGroup'),
      /no groupOfNames "posix-only"/,
    ],
    [
      'a group below a sub-container of the group base is not the group',
      ['nested'],
      group('nested', [], 'groupOfNames', `cn=nested,ou=projects,${GROUPS}`),
      /no groupOfNames "nested"/,
    ],
    [
      'a group outside the group base is not the group',
      ['elsewhere'],
      group('elsewhere', [], 'groupOfNames', 'cn=elsewhere,ou=servicegroups,dc=wikimedia,dc=org'),
      /no groupOfNames "elsewhere"/,
    ],
    [
      'two entries matching one name (case-insensitively) is an error',
      ['growthbook-admin'],
      [`dn: cn=admins,${GROUPS}`, 'objectClass: groupOfNames', 'cn: admins', 'cn: growthbook-admin', ''].join(
        '\n',
      ),
      `ldap: fx.ldif: group "growthbook-admin" matches 2 entries: cn=GrowthBook-Admin,${GROUPS}; cn=admins,${GROUPS}`,
    ],
    [
      'a person listed twice is an error',
      ['growthbook-admin'],
      person('jexample', [], `UID=jexample,${PEOPLE}`),
      `ldap: fx.ldif: person UID=jexample,${PEOPLE} appears twice`,
    ],
    [
      'several uids none of which is in the RDN is an error',
      ['growthbook-admin'],
      person('one', ['uid: two'], `cn=someone,${PEOPLE}`),
      /person cn=someone,ou=people,dc=wikimedia,dc=org has several uids \(one, two\)/,
    ],
    ['an empty uid is an error', ['growthbook-admin'], person(''), /has an empty uid/],
  ];
  for (const [proves, names, extra, message] of cases) {
    test(proves, () => {
      const error = errorOf(() => build(names, extra));
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    });
  }

  test('a group returned without its member attribute is an error, never an empty group', () => {
    const e = errorOf(() => build(['growthbook-other'], group('growthbook-other', [])));
    expect(e.message).toContain('without its member attribute');
  });
});

describe('group members that are not people grant nothing and are listed', () => {
  const SERVICE = 'cn=tools.admin,ou=servicegroups,dc=wikimedia,dc=org';
  const robot = `dn: cn=robot,${PEOPLE}\nobjectClass: device\ncn: robot\n`;
  const mixed = `${robot}\n${group('x', [`uid=jexample,${PEOPLE}`, SERVICE, `uid=ghost,${PEOPLE}`, `cn=robot,${PEOPLE}`])}`;

  test('outside the people base, no entry, no uid: each ignored with its reason; people kept', () => {
    const dir = build(['x'], mixed);
    expect(dir.groups).toEqual([{ dn: `cn=x,${GROUPS}`, name: 'x', memberDns: [`uid=jexample,${PEOPLE}`] }]);
    expect(dir.ignoredMembers).toEqual([
      { group: 'x', dn: SERVICE, reason: 'outside-people-base' },
      { group: 'x', dn: `uid=ghost,${PEOPLE}`, reason: 'no-entry' },
      { group: 'x', dn: `cn=robot,${PEOPLE}`, reason: 'no-uid' },
    ]);
    expect(dir.people.map((p) => p.uid)).not.toContain('robot');
  });

  test('a group whose only members are not people has no member DNs (it grants nothing)', () => {
    const dir = build(['x'], group('x', [SERVICE, `uid=ghost,${PEOPLE}`]));
    expect(dir.groups[0]?.memberDns).toEqual([]);
    expect(dir.ignoredMembers.map((m) => m.reason)).toEqual(['outside-people-base', 'no-entry']);
  });

  test('a clean directory ignores nothing', () => {
    expect(build().ignoredMembers).toEqual([]);
  });

  test('ldap.strictMembers: every non-person member is one source error naming group and DN', () => {
    const e = errorOf(() => build(['x'], mixed, FIXTURE, true));
    expect(e.message).toBe(
      `ldap: fx.ldif: group "x" has member ${SERVICE}, which is not under ${PEOPLE} (ldap.strictMembers); ` +
        `group "x" has member uid=ghost,${PEOPLE}, which is not an existing entry (ldap.strictMembers); ` +
        `group "x" has member cn=robot,${PEOPLE}, which is an entry without a uid (ldap.strictMembers)`,
    );
  });

  test('ldap.strictMembers on a clean directory changes nothing', () => {
    expect(build(CONFIGURED, '', FIXTURE, true)).toEqual(build());
  });

  test('an unreadable member attribute stays a source error, strict or not', () => {
    const e = errorOf(() => build(['growthbook-other', 'x'], `${group('growthbook-other', [])}\n${mixed}`));
    expect(e.message).toContain('without its member attribute');
  });
});
