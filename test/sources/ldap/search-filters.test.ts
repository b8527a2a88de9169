import { AndFilter, type EqualityFilter } from 'ldapts';
import { describe, expect, test } from 'vitest';
import {
  anyOf,
  chunk,
  groupsFilter,
  mailTerm,
  rdnTerm,
  unescapeDnValue,
} from '../../../src/sources/ldap/search-filters.js';

describe('filters carry values as data', () => {
  test('filter syntax in a mail is escaped, not interpreted (RFC 4515)', () => {
    expect(mailTerm('*)(uid=*').toString()).toBe('(mail=\\2a\\29\\28uid=\\2a)');
    expect(anyOf([mailTerm('a@x'), mailTerm('b\\c@x')]).toString()).toBe('(|(mail=a@x)(mail=b\\5cc@x))');
  });

  test('one term stays a term; several are OR-ed', () => {
    expect(anyOf([mailTerm('a@x')]).toString()).toBe('(mail=a@x)');
  });

  test('groups: groupOfNames with any of the names', () => {
    expect(groupsFilter(['growthbook-admin', 'growthbook-readonly']).toString()).toBe(
      '(&(objectClass=groupOfNames)(|(cn=growthbook-admin)(cn=growthbook-readonly)))',
    );
  });
});

describe('rdnTerm: a member DN → the filter that finds its entry', () => {
  const cases: [proves: string, dn: string, want: [attribute: string, value: string] | null][] = [
    ['a uid RDN', 'uid=jexample,ou=people,dc=wikimedia,dc=org', ['uid', 'jexample']],
    [
      'spaces around the separator are not part of the value',
      ' UID = JExample ,ou=People',
      ['UID', 'JExample'],
    ],
    ['an escaped comma belongs to the value', 'cn=Doe\\, John,ou=people', ['cn', 'Doe, John']],
    ['hex escapes are UTF-8 bytes', 'cn=Caf\\C3\\A9,ou=people', ['cn', 'Café']],
    ['the #hex (BER) form is not guessed at', 'uid=#04024869,ou=people', null],
    ['no attribute type', 'jexample,ou=people', null],
    ['an empty value', 'uid=,ou=people', null],
    ['invalid UTF-8 in hex escapes', 'cn=\\C3\\28,ou=people', null],
  ];
  for (const [proves, dn, want] of cases) {
    test(proves, () => {
      const term = rdnTerm(dn) as EqualityFilter | null;
      expect(term === null ? null : [term.attribute, term.value]).toEqual(want);
    });
  }

  test('a multi-valued RDN needs every value', () => {
    const term = rdnTerm('uid=a+cn=B\\+C,ou=people') as AndFilter;
    expect(term).toBeInstanceOf(AndFilter);
    expect(term.filters.map((f) => [(f as EqualityFilter).attribute, (f as EqualityFilter).value])).toEqual([
      ['uid', 'a'],
      ['cn', 'B+C'],
    ]);
  });

  test('unescapeDnValue keeps an escaped trailing space', () => {
    expect(unescapeDnValue('a\\ ')).toBe('a ');
    expect(unescapeDnValue(' a  ')).toBe('a');
    expect(unescapeDnValue('a\\')).toBeNull();
  });
});

test('chunk splits into batches of at most n, in order', () => {
  expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(chunk([], 100)).toEqual([]);
});
