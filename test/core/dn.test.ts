import { expect, test } from 'vitest';
import { isDnUnder, normalizeDn } from '../../src/core/dn.js';

const cases: Array<[proves: string, dn: string, want: string]> = [
  [
    'a plain DN is lower-cased',
    'UID=JExample,OU=People,DC=Wikimedia,DC=org',
    'uid=jexample,ou=people,dc=wikimedia,dc=org',
  ],
  [
    'spaces around separators are dropped',
    ' uid = jexample , ou=people ,dc=wikimedia,dc=org ',
    'uid=jexample,ou=people,dc=wikimedia,dc=org',
  ],
  ['spaces inside a value stay', 'cn=Jo  Example,ou=people,dc=x', 'cn=jo  example,ou=people,dc=x'],
  [
    'an escaped comma is not a separator',
    'cn=Example\\, Jo,ou=people,dc=x',
    'cn=example\\, jo,ou=people,dc=x',
  ],
  ['a tab counts as space', 'uid=a,\tou=people', 'uid=a,ou=people'],
];
for (const [proves, dn, want] of cases) test(proves, () => expect(normalizeDn(dn)).toBe(want));

test('isDnUnder compares normalised DNs and needs a strict descendant', () => {
  expect(isDnUnder('UID=a,OU=People,dc=x', 'ou=people, dc=x')).toBe(true);
  expect(isDnUnder('ou=people,dc=x', 'ou=people,dc=x')).toBe(false);
  expect(isDnUnder('uid=a,ou=peoplex,dc=x', 'ou=people,dc=x')).toBe(false);
});
