import { describe, expect, test } from 'vitest';
import {
  listedMemberSchema,
  memberPageSchema,
  roleUpdateSchema,
  toMember,
  updateMemberRoleResponseSchema,
} from '../../src/growthbook/schemas.js';

const toCore = (raw: unknown) => toMember(listedMemberSchema.parse(raw));

describe('listed member → core Member', () => {
  test('the documented example (docs/growthbook-api.md §7) converts field for field', () => {
    const page = memberPageSchema.parse({
      members: [
        {
          id: 'u_1a2b3c4d5e',
          name: 'Avery Example',
          email: 'avery@example.com',
          globalRole: 'engineer',
          teams: ['team_2Fq9dP1'],
          environments: ['production'],
          limitAccessByEnvironment: true,
          additionalRoles: [],
          projectRoles: [
            {
              project: 'prj_2Kc9wQe7',
              role: 'admin',
              limitAccessByEnvironment: false,
              environments: [],
              additionalRoles: [],
            },
          ],
          lastLoginDate: '2026-08-01T09:15:02.000Z',
          dateCreated: '2025-11-03T17:40:11.000Z',
          managedbyIdp: false,
        },
        {
          id: 'u_9z8y7x6w5v',
          name: '',
          email: 'ops@example.com',
          globalRole: 'engineer',
          environments: [],
          limitAccessByEnvironment: false,
          projectRoles: [],
          dateCreated: '2026-02-10T12:00:00.000Z',
          managedbyIdp: true,
        },
      ],
      limit: 2,
      offset: 0,
      count: 2,
      total: 5,
      hasMore: true,
      nextOffset: 2,
    });
    expect(page.members.map(toMember)).toEqual([
      {
        id: 'u_1a2b3c4d5e',
        name: 'Avery Example',
        email: 'avery@example.com',
        globalRole: 'engineer',
        environments: ['production'],
        limitAccessByEnvironment: true,
        additionalRoles: [],
        projectRoles: [
          {
            project: 'prj_2Kc9wQe7',
            role: 'admin',
            limitAccessByEnvironment: false,
            environments: [],
            additionalRoles: [],
          },
        ],
        managedbyIdp: false,
      },
      {
        id: 'u_9z8y7x6w5v',
        name: '',
        email: 'ops@example.com',
        globalRole: 'engineer',
        environments: [],
        limitAccessByEnvironment: false,
        projectRoles: [],
        managedbyIdp: true,
      },
    ]);
  });

  test('missing arrays are empty, managedbyIdp defaults to false, additionalRoles stays absent', () => {
    const m = toCore({ id: 'u_1', email: 'a@example.org', globalRole: 'readonly' });
    expect(m).toEqual({
      id: 'u_1',
      email: 'a@example.org',
      globalRole: 'readonly',
      environments: [],
      projectRoles: [],
      managedbyIdp: false,
    });
    expect('additionalRoles' in m).toBe(false);
  });

  test('unknown fields are accepted and not carried into the core', () => {
    const m = toCore({
      id: 'u_1',
      email: 'a@x',
      globalRole: 'readonly',
      futureField: { x: 1 },
      dateUpdated: 'x',
    });
    expect(Object.keys(m)).not.toContain('futureField');
  });

  test('a project rule saved without environments has none', () => {
    const m = toCore({
      id: 'u_1',
      email: 'a@x',
      globalRole: 'noaccess',
      projectRoles: [{ project: 'p', role: 'r' }],
    });
    expect(m.projectRoles).toEqual([{ project: 'p', role: 'r', environments: [] }]);
  });

  const rejected: Array<[proves: string, raw: Record<string, unknown>]> = [
    ['null projectRoles is not read as empty', { projectRoles: null }],
    ['a member without email', { email: undefined }],
    ['a member with "role" instead of "globalRole"', { globalRole: undefined, role: 'admin' }],
    ['a project rule without a role', { projectRoles: [{ project: 'p', environments: [] }] }],
    ['managedbyIdp that is not a boolean', { managedbyIdp: 'false' }],
  ];
  for (const [proves, raw] of rejected) {
    test(proves, () => {
      const base = { id: 'u_1', email: 'a@x', globalRole: 'noaccess' };
      expect(listedMemberSchema.safeParse({ ...base, ...raw }).success).toBe(false);
    });
  }

  test('nextOffset must be present, null allowed', () => {
    const fields = { members: [], limit: 100, offset: 0, count: 0, total: 0, hasMore: false };
    expect(memberPageSchema.safeParse({ ...fields, nextOffset: null }).success).toBe(true);
    expect(memberPageSchema.safeParse(fields).success).toBe(false);
  });
});

describe('role update and response', () => {
  test('the outgoing member keeps only contract fields', () => {
    const parsed = roleUpdateSchema.parse({
      role: 'noaccess',
      globalRole: 'admin',
      environments: [],
      projectRoles: [{ project: 'p', role: 'readonly', environments: [], extra: 1 }],
    });
    expect(parsed).toEqual({
      role: 'noaccess',
      environments: [],
      projectRoles: [{ project: 'p', role: 'readonly', environments: [] }],
    });
  });

  test('the documented updatedMember (docs/growthbook-api.md §8) parses; role, not globalRole', () => {
    const { updatedMember } = updateMemberRoleResponseSchema.parse({
      updatedMember: {
        id: 'u_1a2b3c4d5e',
        role: 'collaborator',
        environments: ['production'],
        limitAccessByEnvironment: false,
        additionalRoles: [],
        projectRoles: [
          {
            project: 'prj_2Kc9wQe7',
            role: 'engineer',
            environments: ['staging'],
            limitAccessByEnvironment: true,
          },
          {
            project: 'prj_19g61olhd5t5ky',
            role: 'readonly',
            environments: [],
            limitAccessByEnvironment: false,
          },
        ],
      },
    });
    expect(updatedMember.role).toBe('collaborator');
    expect(updatedMember.projectRoles).toHaveLength(2);
  });
});
