import { describe, expect, test } from 'vitest';
import { evaluateRules, rankOf, resolveRole } from '../../src/core/index.js';
import { ADMIN_GROUP, ELEVATED_GROUP, ELEVATED_ROLE, GATE, POLICY, READONLY_GROUP } from './fixtures.js';

type Row = [proves: string, ldap: string[], posix: string[], role: string, rule: string | null];

// The whole truth table of the default Wikimedia policy.
const rows: Row[] = [
  ['no gate, no groups: noaccess', [], [], 'noaccess', null],
  ['gate overrides admin', [ADMIN_GROUP], [], 'noaccess', null],
  ['gate overrides admin even with qualifiers', [ADMIN_GROUP], ['deployment'], 'noaccess', null],
  ['gate overrides elevated with qualifier', [ELEVATED_GROUP], ['analytics-product-users'], 'noaccess', null],
  ['gate overrides readonly', [READONLY_GROUP], [], 'noaccess', null],
  ['gate alone grants nothing', [], [GATE], 'noaccess', null],
  ['gate alone with qualifiers grants nothing', [], [GATE, 'deployment'], 'noaccess', null],
  ['rule 1: admin', [ADMIN_GROUP], [GATE], 'admin', '1'],
  ['rule 4: readonly', [READONLY_GROUP], [GATE], 'readonly', '4'],
  [
    'rule 2 via analytics-product-users',
    [ELEVATED_GROUP],
    [GATE, 'analytics-product-users'],
    ELEVATED_ROLE,
    '2',
  ],
  ['rule 2 via analytics-wmde-users', [ELEVATED_GROUP], [GATE, 'analytics-wmde-users'], ELEVATED_ROLE, '2'],
  ['rule 2 via deployment', [ELEVATED_GROUP], [GATE, 'deployment'], ELEVATED_ROLE, '2'],
  ['rule 3: elevated without qualifier is readonly', [ELEVATED_GROUP], [GATE], 'readonly', '3'],
  ['unrelated POSIX group does not qualify', [ELEVATED_GROUP], [GATE, 'wheel'], 'readonly', '3'],
  ['highest wins: admin over readonly', [ADMIN_GROUP, READONLY_GROUP], [GATE], 'admin', '1'],
  ['highest wins: admin over elevated', [ADMIN_GROUP, ELEVATED_GROUP], [GATE, 'deployment'], 'admin', '1'],
  [
    'highest wins: elevated over readonly',
    [ELEVATED_GROUP, READONLY_GROUP],
    [GATE, 'deployment'],
    ELEVATED_ROLE,
    '2',
  ],
  ['tie keeps the earlier rule: 3 before 4', [ELEVATED_GROUP, READONLY_GROUP], [GATE], 'readonly', '3'],
  [
    'all three groups: admin',
    [ADMIN_GROUP, ELEVATED_GROUP, READONLY_GROUP],
    [GATE, 'deployment'],
    'admin',
    '1',
  ],
  ['group names compare case-insensitively', ['GrowthBook-Admin'], [GATE], 'admin', '1'],
  [
    'mixed-case elevated group',
    ['GrowthBook-CustomElevatedAccess'],
    [GATE, 'deployment'],
    ELEVATED_ROLE,
    '2',
  ],
  [
    'POSIX names are exact: a different case is not the gate',
    [ADMIN_GROUP],
    ['Analytics-Privatedata-Users'],
    'noaccess',
    null,
  ],
  ['unknown LDAP group grants nothing', ['growthbook-superuser'], [GATE], 'noaccess', null],
];

describe('resolveRole (default Wikimedia policy)', () => {
  for (const [proves, ldapGroups, posixGroups, role, rule] of rows) {
    test(proves, () => {
      const decision = resolveRole({ ldapGroups, posixGroups }, POLICY);
      expect(decision.role).toBe(role);
      expect(decision.rule).toBe(rule);
    });
  }

  test('provenance names the winning LDAP group, the gate and the qualifier', () => {
    const d = resolveRole(
      { ldapGroups: [ELEVATED_GROUP, READONLY_GROUP], posixGroups: [GATE, 'deployment'] },
      POLICY,
    );
    expect(d).toMatchObject({ ldapGroups: [ELEVATED_GROUP], posixGroups: [GATE, 'deployment'], rule: '2' });
    expect(d.reason).toContain('rule 2');
  });

  test('a gated decision lists the LDAP groups held and says why', () => {
    const d = resolveRole({ ldapGroups: [ADMIN_GROUP], posixGroups: [] }, POLICY);
    expect(d.ldapGroups).toEqual([ADMIN_GROUP]);
    expect(d.posixGroups).toEqual([]);
    expect(d.reason).toContain(GATE);
  });

  test('several gate groups: any one of them opens the gate', () => {
    const policy = { ...POLICY, gate: ['a', 'b'] };
    expect(resolveRole({ ldapGroups: [ADMIN_GROUP], posixGroups: ['b'] }, policy).role).toBe('admin');
    expect(resolveRole({ ldapGroups: [ADMIN_GROUP], posixGroups: ['c'] }, policy).role).toBe('noaccess');
  });

  test('rank order is configurable: the highest-ranked matching role wins', () => {
    const policy = { ...POLICY, rank: ['noaccess', 'admin', 'readonly', ELEVATED_ROLE] };
    const d = resolveRole({ ldapGroups: [ADMIN_GROUP, READONLY_GROUP], posixGroups: [GATE] }, policy);
    expect(d.role).toBe('readonly');
  });

  test('a role outside rank ranks above every ranked role', () => {
    expect(rankOf('engineer', POLICY)).toBeGreaterThan(rankOf('admin', POLICY));
  });

  test('evaluateRules explains every rule', () => {
    const evals = evaluateRules({ ldapGroups: [ELEVATED_GROUP], posixGroups: [GATE] }, POLICY);
    expect(evals.map((e) => e.matched)).toEqual([false, false, true, false]);
    expect(evals[1]?.why).toContain('none of POSIX');
  });
});
