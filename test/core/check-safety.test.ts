import { describe, expect, test } from 'vitest';
import { type Action, checkSafety, thresholdFor } from '../../src/core/index.js';

const act = (kind: Action['kind']): Action => ({
  kind,
  project: 'prj_wikimedia',
  email: 'x@wikimedia.org',
  memberId: 'u_x',
  uid: null,
  from: null,
  to: null,
  rule: null,
  ldapGroups: [],
  posixGroups: [],
  reason: '',
  result: 'planned',
});
const many = (kind: Action['kind'], n: number) => Array.from({ length: n }, () => act(kind));
const SETTINGS = { min: 5, percent: 10 };

describe('thresholdFor', () => {
  test.each([
    [0, 5],
    [10, 5],
    [50, 5],
    [51, 6],
    [100, 10],
    [149, 15],
    [1000, 100],
  ])('population %i → T = %i', (population, want) => {
    expect(thresholdFor(population, SETTINGS)).toBe(want);
  });
});

describe('checkSafety', () => {
  test('exactly T revokes passes; T + 1 trips', () => {
    expect(
      checkSafety([...many('revoke', 5), ...many('noop', 20)], SETTINGS, { override: false }).tripped,
    ).toBe(false);
    expect(
      checkSafety([...many('revoke', 6), ...many('noop', 20)], SETTINGS, { override: false }).tripped,
    ).toBe(true);
  });
  test('downgrades are counted on their own, not added to revokes', () => {
    const r = checkSafety([...many('revoke', 5), ...many('downgrade', 5)], SETTINGS, { override: false });
    expect(r).toMatchObject({ tripped: false, revoke: 5, downgrade: 5 });
    expect(checkSafety(many('downgrade', 6), SETTINGS, { override: false }).tripped).toBe(true);
  });
  test('skip and pending are not in the population', () => {
    const r = checkSafety([...many('skip', 500), ...many('pending', 500), ...many('noop', 10)], SETTINGS, {
      override: false,
    });
    expect(r.population).toBe(10);
    expect(r.threshold).toBe(5);
  });
  test('grants and upgrades never trip it', () => {
    expect(
      checkSafety([...many('grant', 100), ...many('upgrade', 100)], SETTINGS, { override: false }).tripped,
    ).toBe(false);
  });
  test('override lets the run continue and says so', () => {
    const r = checkSafety(many('revoke', 9), SETTINGS, { override: true });
    expect(r).toMatchObject({ tripped: false, exceeded: true, overridden: true });
  });
});
