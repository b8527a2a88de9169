import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SourceReadError } from '../../../src/errors.js';
import { type LdifEntry, parseLdif } from '../../../src/sources/ldap/parse-ldif.js';

const FIXTURE = readFileSync(new URL('../../fixtures/directory.ldif', import.meta.url), 'utf8');

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Entries as plain objects, for exact comparison. */
const plain = (entries: LdifEntry[]) =>
  entries.map((e) => ({ dn: e.dn, ...Object.fromEntries(e.attributes) }));

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

describe('parseLdif', () => {
  test('reads the Wikimedia-shaped LDIF fixture (docs/sources.md)', () => {
    const entries = parseLdif(FIXTURE, 'fixture.ldif');
    expect(entries.map((e) => e.dn)).toEqual([
      'ou=people,dc=wikimedia,dc=org',
      'ou=groups,dc=wikimedia,dc=org',
      'uid=jexample,ou=people,dc=wikimedia,dc=org',
      'uid=qtester,ou=people,dc=wikimedia,dc=org',
      'uid=zformer,ou=people,dc=wikimedia,dc=org',
      'cn=GrowthBook-Admin,ou=groups,dc=wikimedia,dc=org',
      'cn=GrowthBook-CustomElevatedAccess,ou=groups,dc=wikimedia,dc=org',
      'cn=GrowthBook-ReadOnly,ou=groups,dc=wikimedia,dc=org',
    ]);
    const jexample = entries[2]?.attributes;
    expect(jexample?.get('objectclass')).toEqual([
      'inetOrgPerson',
      'posixAccount',
      'wikimediaPerson',
      'ldapPublicKey',
    ]);
    expect(jexample?.get('mail')).toEqual(['jexample@example.org']);
    expect(jexample?.get('wikimediaglobalaccountname')).toEqual(['JExample (WMF)']);
    expect(jexample?.has('memberof')).toBe(false); // commented out in the fixture
    expect(entries[4]?.attributes.has('mail')).toBe(false);
    expect(entries[7]?.attributes.get('member')).toEqual([
      'uid=jexample,ou=people,dc=wikimedia,dc=org',
      'uid=qtester,ou=people,dc=wikimedia,dc=org',
      'uid=zformer,ou=people,dc=wikimedia,dc=org',
    ]);
  });

  test('ldapsearch -LLL output (no comments, lines folded at 76 columns) reads like the unfolded file', () => {
    const fold = (line: string) => {
      const parts = [line.slice(0, 76)];
      for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
      return parts.join('\n');
    };
    const lldif = FIXTURE.split('\n')
      .filter((line) => !line.startsWith('#'))
      .map(fold)
      .join('\n');
    expect(lldif).toContain('\n ');
    expect(plain(parseLdif(lldif, 'o'))).toEqual(plain(parseLdif(FIXTURE, 'o')));
  });

  test('CRLF line ends read the same as LF', () => {
    expect(plain(parseLdif(FIXTURE.replace(/\n/g, '\r\n'), 'o'))).toEqual(plain(parseLdif(FIXTURE, 'o')));
  });

  const cases: Array<[proves: string, ldif: string, want: Array<Record<string, unknown>>]> = [
    [
      'a line starting with one space continues the previous one, even mid-word',
      'dn: uid=jexample,ou=peo\n ple,dc=wikimedia,dc=org\nmail: jexample@exa\n mple.org\ndescription: two\n  words\n',
      [
        {
          dn: 'uid=jexample,ou=people,dc=wikimedia,dc=org',
          mail: ['jexample@example.org'],
          description: ['two words'],
        },
      ],
    ],
    [
      'attr:: values are base64 of UTF-8',
      `dn: uid=e,ou=people,dc=x\ncn:: ${b64('Émile Zoë')}\nmail::${b64(' spaced@example.org')}\n`,
      [{ dn: 'uid=e,ou=people,dc=x', cn: ['Émile Zoë'], mail: [' spaced@example.org'] }],
    ],
    [
      'dn:: is a base64 DN, and folded base64 is joined before decoding',
      `dn:: ${b64('uid=ünï,ou=people,dc=x').replace(/^(.{10})/, '$1\n ')}\nuid: u\n`,
      [{ dn: 'uid=ünï,ou=people,dc=x', uid: ['u'] }],
    ],
    [
      'comments, folded comments and several blank lines are skipped',
      '# search result\n# a long comment that ldapsearch\n  folded over: two lines\ndn: cn=a,dc=x\n# memberOf: cn=b,dc=x\ncn: a\n\n\n\n# trailing\ndn: cn=b,dc=x\n',
      [{ dn: 'cn=a,dc=x', cn: ['a'] }, { dn: 'cn=b,dc=x' }],
    ],
    [
      'a version: 1 header on its own is skipped',
      'version: 1\n\ndn: cn=a,dc=x\ncn: a\n',
      [{ dn: 'cn=a,dc=x', cn: ['a'] }],
    ],
    [
      'a version: 1 header directly followed by the first entry is skipped',
      'version: 1\ndn: cn=a,dc=x\ncn: a\n',
      [{ dn: 'cn=a,dc=x', cn: ['a'] }],
    ],
    [
      'attribute names are lower-cased, values keep their case and order; options stay in the name',
      'dn: CN=A,DC=X\nobjectClass: groupOfNames\nOBJECTCLASS: top\ndescription;lang-de: Gruppe\n',
      [{ dn: 'CN=A,DC=X', objectclass: ['groupOfNames', 'top'], 'description;lang-de': ['Gruppe'] }],
    ],
    [
      'an empty value is kept as an empty string, leading spaces are separators',
      'dn: cn=a,dc=x\nmember:\nmember: \ncn:    a\n',
      [{ dn: 'cn=a,dc=x', member: ['', ''], cn: ['a'] }],
    ],
    [
      'a value may contain colons',
      'dn: cn=a,dc=x\nlabeledURI: https://example.org:8443/x\n',
      [{ dn: 'cn=a,dc=x', labeleduri: ['https://example.org:8443/x'] }],
    ],
    ['no trailing newline is fine', 'dn: cn=a,dc=x\ncn: a', [{ dn: 'cn=a,dc=x', cn: ['a'] }]],
    ['an empty file has no entries', '', []],
    ['a file of comments has no entries', '# nothing\n# here\n', []],
  ];
  for (const [proves, ldif, want] of cases) {
    test(proves, () => expect(plain(parseLdif(ldif, 'o'))).toEqual(want));
  }
});

describe('parseLdif errors name the origin and the line', () => {
  const cases: Array<[proves: string, ldif: string, message: string | RegExp]> = [
    [
      'attr:< URL values are refused',
      'dn: cn=a,dc=x\njpegPhoto:< file:///etc/passwd\n',
      'ldap: o:2: jpegphoto:< URL values are not supported',
    ],
    [
      'changetype: records are refused',
      'dn: cn=a,dc=x\nchangetype: modify\nadd: member\n',
      /^ldap: o:2: "changetype:" marks an LDIF change record/,
    ],
    [
      'control: lines are refused',
      'dn: cn=a,dc=x\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n',
      /^ldap: o:2: "control:" marks an LDIF change record/,
    ],
    [
      'a line without a colon is refused',
      'dn: cn=a,dc=x\ncn: a\n-\n',
      'ldap: o:3: expected "attribute: value", found a line without a colon',
    ],
    [
      'an entry without dn is refused',
      'dn: cn=a,dc=x\n\nobjectClass: top\ncn: b\n',
      'ldap: o:3: entry has no dn: it starts with "objectclass:"',
    ],
    [
      'a search reference (ref: without dn) is refused',
      'ref: ldap://other.example/dc=x\n',
      /^ldap: o:1: entry has no dn/,
    ],
    [
      'a continuation with nothing to continue is refused',
      ' dangling\ndn: cn=a,dc=x\n',
      /^ldap: o:1: continuation line/,
    ],
    [
      'a continuation after a blank line is refused',
      'dn: cn=a,dc=x\n\n cn: a\n',
      /^ldap: o:3: continuation line/,
    ],
    [
      'a second dn in one entry is refused',
      'dn: cn=a,dc=x\ncn: a\ndn: cn=b,dc=x\n',
      /^ldap: o:3: a second dn inside one entry/,
    ],
    [
      'invalid base64 is refused',
      'dn: cn=a,dc=x\ncn:: not*base64\n',
      'ldap: o:2: cn:: value is not valid base64',
    ],
    [
      'base64 that is not UTF-8 is refused',
      `dn: cn=a,dc=x\ncn:: ${Buffer.from([0xc3, 0x28]).toString('base64')}\n`,
      'ldap: o:2: cn:: value is not UTF-8 text',
    ],
    [
      'a malformed attribute name is refused',
      'dn: cn=a,dc=x\nmy attr: v\n',
      'ldap: o:2: "my attr" is not an attribute name',
    ],
    [
      'an unknown LDIF version is refused',
      'version: 2\ndn: cn=a,dc=x\n',
      'ldap: o:1: unsupported LDIF version "2"',
    ],
    [
      'line numbers count folded and CRLF lines',
      'dn: cn=a,\r\n dc=x\r\n# c\r\n  c\r\ncn: a\r\nbad line\r\n',
      'ldap: o:6: expected "attribute: value", found a line without a colon',
    ],
  ];
  for (const [proves, ldif, message] of cases) {
    test(proves, () => {
      const error = errorOf(() => parseLdif(ldif, 'o'));
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    });
  }
});
