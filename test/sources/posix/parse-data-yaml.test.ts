import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SourceReadError } from '../../../src/errors.js';
import { parseDataYaml, requirePosixGroups } from '../../../src/sources/posix/parse-data-yaml.js';

const FIXTURE = readFileSync(new URL('../../fixtures/data.yaml', import.meta.url), 'utf8');

/** A data.yaml with the given `groups:` body and a users table. */
const doc = (
  groups: string,
  users = '  gone: {ensure: absent, uid: 40001}\n  here: {ensure: present, uid: 40002}\n',
) => `---\ngroups:\n${groups}users:\n${users}`;

function errorOf(run: () => unknown): SourceReadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceReadError);
    expect((error as SourceReadError).source).toBe('posix');
    expect((error as SourceReadError).exitCode).toBe(4);
    return error as SourceReadError;
  }
  throw new Error('expected a SourceReadError');
}

describe('parseDataYaml', () => {
  test('reads the Wikimedia-shaped data.yaml fixture (docs/sources.md): flattened, de-duplicated, absent users removed', () => {
    expect({ ...parseDataYaml(FIXTURE, 'data.yaml').groups }).toEqual({
      absent: [],
      absent_ldap: ['yoldcontractor'],
      'analytics-product-users': ['jexample'],
      'analytics-privatedata-users': ['jexample', 'qtester'],
      deployment: ['jexample', 'qtester'],
    });
  });

  const cases: Array<[proves: string, groups: string, want: Record<string, string[]>]> = [
    [
      'an alias inside a flow list is flattened',
      '  a:\n    members: &a [x, y]\n  b:\n    members: [*a, z]\n',
      { a: ['x', 'y'], b: ['x', 'y', 'z'] },
    ],
    [
      'aliases nest three deep',
      [
        '  ops:\n    members: &ops [o1, o2]',
        '  rel:\n    members: &rel [*ops, r1]',
        '  ml:\n    members: &ml-team-admins [*rel, m1]',
        '  deployment:\n    members: [*ml-team-admins, d1]',
        '',
      ].join('\n'),
      {
        ops: ['o1', 'o2'],
        rel: ['o1', 'o2', 'r1'],
        ml: ['o1', 'o2', 'r1', 'm1'],
        deployment: ['o1', 'o2', 'r1', 'm1', 'd1'],
      },
    ],
    [
      'duplicates after flattening keep their first position',
      '  a:\n    members: &a [x, y]\n  b:\n    members: [y, *a, x, z, *a]\n',
      { a: ['x', 'y'], b: ['y', 'x', 'z'] },
    ],
    [
      'an aliased whole member list is read',
      '  a:\n    members: &a [x]\n  b:\n    members: *a\n',
      { a: ['x'], b: ['x'] },
    ],
    [
      'block-style lists and multi-line flow lists read like flow ones',
      '  a:\n    members:\n      - x\n      - y\n  b:\n    members: [x,\n              y\n    ]\n',
      { a: ['x', 'y'], b: ['x', 'y'] },
    ],
    [
      'a user with ensure: absent is a member of no group, even through an alias',
      '  absent:\n    members: [gone]\n  a:\n    members: &a [gone, here]\n  b:\n    members: [*a]\n',
      { absent: [], a: ['here'], b: ['here'] },
    ],
    ['a group without members is an empty group', '  adm:\n    posix_name: adm\n', { adm: [] }],
    ['members: [] is an empty group', '  old:\n    deprecated: true\n    members: []\n', { old: [] }],
    ['a member without a users entry is kept', '  a:\n    members: [stranger]\n', { a: ['stranger'] }],
    [
      'a group named like an Object property is just a group',
      '  constructor:\n    members: [x]\n',
      { constructor: ['x'] },
    ],
  ];
  for (const [proves, groups, want] of cases) {
    test(proves, () => expect({ ...parseDataYaml(doc(groups), 'o').groups }).toEqual(want));
  }

  test('the result has no inherited keys', () => {
    const { groups } = parseDataYaml(doc('  a:\n    members: [x]\n'), 'o');
    expect(groups.toString).toBeUndefined();
  });

  test('a multi-line plain description and quoted dates do not disturb the members', () => {
    const text = doc(
      '  a:\n    gid: 731\n    description: first line\n                 second line\n    members: [here]\n',
      '  here:\n    ensure: present\n    expiry_date: "2031-06-30"\n    home_dir: none\n',
    );
    expect({ ...parseDataYaml(text, 'o').groups }).toEqual({ a: ['here'] });
  });
});

describe('parseDataYaml errors name the origin and the line', () => {
  const cases: Array<[proves: string, text: string, message: RegExp]> = [
    [
      'a YAML syntax error gives line and column',
      'groups:\n  a:\n    members: [x\nusers: {}\n',
      /^posix: o:\d+:\d+: YAML syntax error: /,
    ],
    [
      'a bad indentation is a syntax error',
      'groups:\n  a:\n    members: [x]\n   b: 1\nusers: {}\n',
      /^posix: o:4:\d+: YAML syntax error/,
    ],
    [
      'a duplicate key is an error, not a silent override',
      doc('  a:\n    members: [x]\n  a:\n    members: [y]\n'),
      /o:5:3: YAML syntax error: Map keys must be unique/,
    ],
    [
      'two documents are an error',
      '---\ngroups: {}\nusers: {}\n---\ngroups: {}\n',
      /o:4:1: YAML syntax error/,
    ],
    ['an empty document is unknown, not empty', '', /^posix: o: data.yaml is empty$/],
    ['a document with only --- is empty', '---\n', /data.yaml is empty/],
    ['a scalar top level is rejected', 'hello\n', /o:1:1: the top level must be a mapping/],
    ['groups: missing is an error', '---\nusers: {}\n', /^posix: o: groups: is missing$/],
    [
      'groups: not a mapping is an error with its line',
      '---\ngroups: [a, b]\nusers: {}\n',
      /o:2:9: groups must be a mapping, found a list/,
    ],
    ['groups: empty value is an error', '---\ngroups:\nusers: {}\n', /groups must be a mapping, found null/],
    [
      'users: missing is an error (absent users could not be removed)',
      '---\ngroups: {}\n',
      /users: is missing/,
    ],
    ['users: not a mapping is an error', '---\ngroups: {}\nusers: [a]\n', /o:3:8: users must be a mapping/],
    [
      'a user that is not a mapping is an error',
      doc('  g: {}\n', '  x: present\n'),
      /o:5:6: users.x must be a mapping, found "present"/,
    ],
    [
      'an ensure other than present/absent is an error',
      doc('  g: {}\n', '  x:\n    ensure: gone\n'),
      /o:6:13: users.x.ensure must be present or absent, found "gone"/,
    ],
    [
      'a missing ensure is an error',
      doc('  g: {}\n', '  x:\n    uid: 1\n'),
      /users.x.ensure must be present or absent, found nothing/,
    ],
    [
      'a group that is not a mapping is an error naming it',
      doc('  g: [x]\n'),
      /o:3:6: groups.g must be a mapping, found a list/,
    ],
    [
      'members as a string is an error naming the group',
      doc('  g:\n    members: x\n'),
      /o:4:14: groups.g.members must be a list, found "x"/,
    ],
    [
      'members: with no value is an error (write [] for an empty group)',
      doc('  g:\n    members:\n'),
      /groups.g.members must be a list, found null/,
    ],
    [
      'a numeric member is an error naming group and line',
      doc('  g:\n    members: [x, 41001]\n'),
      /o:4:18: groups.g.members has a member that is not a user name: 41001/,
    ],
    [
      'a mapping member is an error',
      doc('  g:\n    members:\n      - x\n      - {y: 1}\n'),
      /o:6:9: groups.g.members has a member that is not a user name: a mapping/,
    ],
    [
      'a null member is an error',
      doc('  g:\n    members:\n      - x\n      -\n'),
      /groups.g.members has a member that is not a user name: (null|nothing)/,
    ],
    [
      'a bad member behind an alias names the line where it is written',
      doc('  a:\n    members: &a [x, true]\n  g:\n    members: [*a]\n'),
      /o:4:21: groups.a.members has a member/,
    ],
    [
      'an alias without an anchor is an error with its line',
      doc('  g:\n    members: [*nope]\n'),
      /o:4:15: alias \*nope has no anchor before it/,
    ],
    [
      'an alias used before its anchor is an error',
      doc('  g:\n    members: [*late]\n  h:\n    members: &late [x]\n'),
      /o:4:15: alias \*late has no anchor/,
    ],
    [
      'a list that contains itself is an error',
      doc('  g:\n    members: &g [x, *g]\n'),
      /groups.g.members contains itself through an alias/,
    ],
    [
      'a group key that is not a name is an error',
      doc('  [a]: {members: []}\n'),
      /groups has a key that is not a name: a list/,
    ],
  ];
  for (const [proves, text, message] of cases) {
    test(proves, () => expect(errorOf(() => parseDataYaml(text, 'o')).message).toMatch(message));
  }

  test('an alias bomb is refused before it is expanded', () => {
    let text = '---\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n';
    for (let i = 1; i < 10; i++)
      text += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    text += 'groups:\n  g:\n    members: *l9\nusers: {}\n';
    expect(errorOf(() => parseDataYaml(text, 'o')).message).toMatch(
      /YAML aliases rejected: Excessive alias count/,
    );
  });
});

describe('requirePosixGroups', () => {
  const groups = parseDataYaml(FIXTURE, 'data.yaml');

  test('passes when every named group exists, including an empty one', () => {
    expect(() =>
      requirePosixGroups(groups, ['analytics-privatedata-users', 'deployment', 'absent'], 'data.yaml'),
    ).not.toThrow();
  });

  test('one error lists every missing group', () => {
    const error = errorOf(() =>
      requirePosixGroups(
        groups,
        [
          'analytics-privatedata-users',
          'analytics-wmde-users',
          'deployment',
          'Deployment',
          'analytics-wmde-users',
        ],
        'gerrit/data.yaml',
      ),
    );
    expect(error.message).toBe(
      'posix: gerrit/data.yaml: data.yaml has no groups "analytics-wmde-users", "Deployment", which the policy names',
    );
  });

  test('inherited Object properties are not groups', () => {
    expect(errorOf(() => requirePosixGroups(groups, ['toString'], 'o')).message).toMatch(
      /no group "toString"/,
    );
  });
});

describe('parseDataYaml at scale and at the edges of YAML', () => {
  test('a duplicate user names both lines', () => {
    const text = doc(
      '  g: {members: [x]}\n',
      '  x: {ensure: present}\n  y: {ensure: present}\n  x: {ensure: absent}\n',
    );
    expect(errorOf(() => parseDataYaml(text, 'o')).message).toBe(
      'posix: o:7:3: YAML syntax error: Map keys must be unique: users.x is on line 5 and again here',
    );
  });

  test('a duplicate key inside a group (two members: lists) is an error too', () => {
    const text = doc('  g:\n    members: [x]\n    members: [y]\n');
    expect(errorOf(() => parseDataYaml(text, 'o')).message).toMatch(
      /o:5:5: .*Map keys must be unique: groups\.g\.members is on line 4/,
    );
  });

  test('keys that differ only in type are different keys', () => {
    const text = doc('  g:\n    members: [x]\n    1: a\n    "1": b\n');
    expect({ ...parseDataYaml(text, 'o').groups }).toEqual({ g: ['x'] });
  });

  test('a closing bracket at its key’s indentation is read (Puppet’s data.yaml writes it so)', () => {
    const text = doc('  g:\n    members: [x,\n      y\n    ]\n    other: {a: 1,\n    }\n');
    expect({ ...parseDataYaml(text, 'o').groups }).toEqual({ g: ['x', 'y'] });
  });

  test('nesting deeper than the limit is a clear error, not a stack overflow', () => {
    const text = doc(`  g:\n    members: ${'['.repeat(100_000)}\n`);
    expect(errorOf(() => parseDataYaml(text, 'o')).message).toMatch(
      /o:4:\d+: YAML syntax error: nesting exceeded/,
    );
  });

  test('a chain of 700 lists, each aliasing the one before, is flattened in order', () => {
    const lines = ['  l0:\n    members: &l0 [m0]'];
    for (let i = 1; i < 700; i++) lines.push(`  l${i}:\n    members: &l${i} [*l${i - 1}, m${i}]`);
    const { groups } = parseDataYaml(doc(`${lines.join('\n')}\n`), 'o');
    expect(groups.l699).toHaveLength(700);
    expect(groups.l699?.slice(0, 2)).toEqual(['m0', 'm1']);
  });

  test('a longer chain expands past the alias budget and is refused', () => {
    const lines = ['  l0:\n    members: &l0 [m0]'];
    for (let i = 1; i < 2_000; i++) lines.push(`  l${i}:\n    members: &l${i} [*l${i - 1}, m${i}]`);
    expect(errorOf(() => parseDataYaml(doc(`${lines.join('\n')}\n`), 'o')).message).toMatch(
      /YAML aliases rejected: Excessive alias count/,
    );
  });

  test('25,000 users and 1,000 groups are read, absent users removed everywhere', () => {
    const users: string[] = [];
    for (let i = 0; i < 25_000; i++)
      users.push(
        `  u${i}:\n    ensure: ${i % 3 ? 'present' : 'absent'}\n    uid: ${40000 + i}\n    ssh_keys: []`,
      );
    const groups: string[] = [];
    for (let g = 0; g < 1_000; g++) {
      const members = Array.from({ length: 25 }, (_, k) => `u${g * 25 + k}`);
      const previous = g % 10 > 0 ? `*g${g - 1}, ` : ''; // chains of ten
      groups.push(`  g${g}:\n    members: &g${g} [${previous}${members.join(', ')}]`);
    }
    const { groups: read } = parseDataYaml(doc(`${groups.join('\n')}\n`, `${users.join('\n')}\n`), 'o');
    expect(Object.keys(read)).toHaveLength(1_000);
    // g999 holds the members of g990…g999 (u24750…u24999) but the absent ones (every third).
    const present = Array.from({ length: 250 }, (_, k) => 24_750 + k).filter((i) => i % 3 !== 0);
    expect(read.g999).toEqual(present.map((i) => `u${i}`));
  });

  test('an explicit tag is refused with its line', () => {
    expect(errorOf(() => parseDataYaml(doc('  g:\n    members: !!set [x]\n'), 'o')).message).toMatch(
      /o:4:\d+: YAML tag !!set is not supported/,
    );
  });
});
