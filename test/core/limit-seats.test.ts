import { describe, expect, test } from 'vitest';
import { type Action, countSeats, limitSeats } from '../../src/core/index.js';

const act = (kind: Action['kind'], from: string | null, to: string | null, email: string): Action => ({
  kind,
  project: 'prj_wikimedia',
  email,
  memberId: kind === 'pending' ? null : `u_${email}`,
  uid: email,
  from,
  to,
  rule: null,
  ldapGroups: [],
  posixGroups: [],
  reason: 'why',
  result: 'planned',
});

const plan = [
  act('revoke', 'readonly', 'noaccess', 'r1'),
  act('upgrade', 'readonly', 'admin', 'u1'),
  act('grant', 'noaccess', 'readonly', 'g1'),
  act('grant', 'noaccess', 'readonly', 'g2'),
  act('grant', 'noaccess', 'readonly', 'g3'),
  act('noop', 'readonly', 'readonly', 'n1'),
  act('noop', 'noaccess', 'noaccess', 'n2'),
  act('pending', null, 'readonly', 'p1'),
  act('skip', 'admin', null, 's1'),
];

describe('limitSeats', () => {
  test('counts seats: in-scope members with access before and after', () => {
    expect(countSeats(plan)).toEqual({ now: 3, after: 5 });
  });

  test('no budget: nothing held', () => {
    expect(limitSeats(plan, undefined)).toEqual(plan);
  });

  test('revokes free seats first; grants take what is left in plan order; the rest are pending seat-limit', () => {
    // 3 seats now, 1 revoke → 2; budget 3 → one grant fits.
    const out = limitSeats(plan, 3);
    expect(out.filter((a) => a.email.startsWith('g')).map((a) => `${a.email}:${a.kind}`)).toEqual([
      'g1:grant',
      'g2:pending',
      'g3:pending',
    ]);
    expect(out.find((a) => a.email === 'g2')).toMatchObject({ reason: 'seat-limit', memberId: 'u_g2' });
    expect(out.find((a) => a.email === 'u1')?.kind).toBe('upgrade');
    expect(countSeats(out).after).toBeLessThanOrEqual(3);
  });

  test('over budget after the revokes: upgrades are held too, revokes and downgrades never are', () => {
    const out = limitSeats([...plan, act('downgrade', 'admin', 'readonly', 'd1')], 1);
    expect(out.map((a) => `${a.email}:${a.kind}`)).toEqual([
      'r1:revoke',
      'u1:pending',
      'g1:pending',
      'g2:pending',
      'g3:pending',
      'n1:noop',
      'n2:noop',
      'p1:pending',
      's1:skip',
      'd1:downgrade',
    ]);
  });

  test('a budget of exactly the seats after the change holds nothing', () => {
    expect(limitSeats(plan, 5).filter((a) => a.reason === 'seat-limit')).toEqual([]);
  });
});
