import { describe, expect, test } from 'vitest';
import { buildRoleUpdate, type Member, verifyWrittenMember } from '../../src/core/index.js';
import { member, PROJECT, projectRole } from './fixtures.js';

/** One managed project changed to `to`, pinned global role `pin`. */
const build = (m: Member, to: string, pin: string) =>
  buildRoleUpdate(m, { changes: new Map([[PROJECT, to]]), managed: [PROJECT], pinnedGlobalRole: pin }).body;

const rich: Member = member({
  email: 'ann@wikimedia.org',
  globalRole: 'engineer',
  environments: ['production'],
  additionalRoles: [{ role: 'experimenter', environments: ['staging'], limitAccessByEnvironment: true }],
  projectRoles: [
    {
      ...projectRole('engineer', ['staging'], 'prj_a'),
      additionalRoles: [{ role: 'analyst', environments: [] }],
    },
    { ...projectRole('admin', ['production']), additionalRoles: [{ role: 'engineer', environments: [] }] },
    projectRole('readonly', [], 'prj_b'),
    projectRole('engineer'),
  ],
});

describe('buildRoleUpdate', () => {
  test('pins the global role and owns the managed entry whole', () => {
    const body = build(rich, 'readonly', 'noaccess');
    expect(body.role).toBe('noaccess');
    expect(body.projectRoles.filter((p) => p.project === PROJECT)).toEqual([
      { project: PROJECT, role: 'readonly', environments: [] },
    ]);
  });
  test('other projects go back exactly as read, in place', () => {
    const body = build(rich, 'readonly', 'noaccess');
    expect(body.projectRoles.map((p) => p.project)).toEqual(['prj_a', PROJECT, 'prj_b']);
    expect(body.projectRoles[0]).toEqual(rich.projectRoles[0]);
    expect(body.projectRoles[2]).toEqual(rich.projectRoles[2]);
  });
  test('global additionalRoles go back exactly as read; absent stays absent', () => {
    expect(build(rich, 'readonly', 'noaccess').additionalRoles).toEqual(rich.additionalRoles);
    expect('additionalRoles' in build(member({ email: 'b@x' }), 'readonly', 'noaccess')).toBe(false);
  });
  test('environments: [] for a pinned role without env-limit support (GrowthBook 400s otherwise)', () => {
    expect(build(rich, 'readonly', 'noaccess').environments).toEqual([]);
    expect(build(rich, 'readonly', 'readonly').environments).toEqual([]);
  });
  test('environments kept when the pinned role supports limits (the reset quirk would drop them)', () => {
    expect(build(rich, 'readonly', 'engineer').environments).toEqual(['production']);
    expect(build(rich, 'readonly', 'experimenter').environments).toEqual(['production']);
  });
  test('a member without a managed entry gets one appended', () => {
    const m = member({ email: 'c@x', projectRoles: [projectRole('readonly', [], 'prj_a')] });
    expect(build(m, 'admin', 'noaccess').projectRoles).toEqual([
      projectRole('readonly', [], 'prj_a'),
      { project: PROJECT, role: 'admin', environments: [] },
    ]);
  });
  test('a revoke writes an explicit noaccess entry (never an empty array, which would clear every project)', () => {
    const body = build(member({ email: 'd@x' }), 'noaccess', 'noaccess');
    expect(body.projectRoles).toEqual([{ project: PROJECT, role: 'noaccess', environments: [] }]);
  });
  test('does not mutate its input', () => {
    const before = JSON.stringify(rich);
    build(rich, 'readonly', 'noaccess');
    expect(JSON.stringify(rich)).toBe(before);
  });
});

describe('verifyWrittenMember', () => {
  const sent = build(rich, 'readonly', 'noaccess');
  const readBack = (o: Partial<Member>) =>
    member({ email: 'ann@wikimedia.org', globalRole: 'noaccess', projectRoles: sent.projectRoles, ...o });
  test('a faithful write verifies', () => {
    expect(verifyWrittenMember(readBack({}), sent, [PROJECT])).toEqual([]);
  });
  test.each([
    ['global role', { globalRole: 'readonly' }],
    [
      'project role',
      { projectRoles: sent.projectRoles.map((p) => (p.project === PROJECT ? { ...p, role: 'admin' } : p)) },
    ],
    ['lost other project', { projectRoles: sent.projectRoles.filter((p) => p.project !== 'prj_b') }],
    ['missing managed entry', { projectRoles: sent.projectRoles.filter((p) => p.project !== PROJECT) }],
  ])('mismatch found: %s', (_name, o) => {
    expect(verifyWrittenMember(readBack(o as Partial<Member>), sent, [PROJECT]).length).toBeGreaterThan(0);
  });
});
