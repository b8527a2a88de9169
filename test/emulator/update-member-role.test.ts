// docs/growthbook-api.md §8 updateMemberRole: body validation, order of checks, update semantics, role rules.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { bob, call, seed, updateRole } from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ seed: seed() });
});
afterEach(() => emu.close());

const update = (id: string, body: unknown) => updateRole(emu.url, id, body);

describe('body validation (§4, §8)', () => {
  const cases: Array<[proves: string, body: unknown, message: string]> = [
    ['member is required', {}, 'Request body: [member] Invalid input: expected object, received undefined'],
    [
      'fields are typed',
      { member: { role: 1 } },
      'Request body: [member.role] Invalid input: expected string, received number',
    ],
    [
      'unknown top-level keys are rejected',
      { member: {}, extra: 1 },
      'Request body: [] Unrecognized key: "extra"',
    ],
    [
      'several unknown keys are listed together',
      { member: {}, a: 1, b: 2 },
      'Request body: [] Unrecognized keys: "a", "b"',
    ],
    [
      'a body without the wrapper fails twice',
      { role: 'admin' },
      'Request body: [member] Invalid input: expected object, received undefined, [] Unrecognized key: "role"',
    ],
    [
      'a project rule needs environments',
      { member: { projectRoles: [{ project: 'prj_a', role: 'readonly' }] } },
      'Request body: [member.projectRoles.0.environments] Invalid input: expected array, received undefined',
    ],
    [
      'projectRoles may not be null',
      { member: { projectRoles: null } },
      'Request body: [member.projectRoles] Invalid input: expected array, received null',
    ],
    [
      'a project may appear once (HEAD)',
      {
        member: {
          projectRoles: [
            { project: 'prj_a', role: 'readonly', environments: [] },
            { project: 'prj_a', role: 'engineer', environments: [] },
          ],
        },
      },
      "Request body: [member.projectRoles] Only one rule per project. To grant more than one role in a project, add them to that rule's additionalRoles.",
    ],
  ];
  for (const [proves, body, message] of cases) {
    test(proves, async () => {
      const res = await update('u_alice', body);
      expect([res.status, res.json]).toEqual([400, { message }]);
    });
  }

  test('validation comes before the member lookup', async () => {
    expect((await update('u_nobody', {})).json.message).toMatch(/^Request body:/);
  });

  test('a query string on an update is not validated', async () => {
    const res = await call(emu.url, '/api/v1/members/u_alice/role?foo=1', {
      method: 'POST',
      body: { member: {} },
    });
    expect(res.status).toBe(200);
  });
});

describe('order of checks (§8)', () => {
  test('an unknown member is 400, not 404', async () => {
    const res = await update('u_nobody', { member: { role: 'readonly' } });
    expect([res.status, res.json]).toEqual([400, { message: 'Could not find user with that ID' }]);
  });

  test('an IdP-managed member is refused', async () => {
    const res = await update('u_dave', { member: { role: 'noaccess' } });
    expect([res.status, res.json.message]).toEqual([
      400,
      'This user is managed via an External Identity Provider (IDP) via SCIM 2.0 - User can only be updated via the IDP',
    ]);
  });

  test('the IdP check comes before role validity', async () => {
    expect((await update('u_dave', { member: { role: 'superuser' } })).json.message).toMatch(
      /^This user is managed/,
    );
  });

  test('a member without a user document is still found by id', async () => {
    const res = await update('u_ghost', { member: { role: 'noaccess' } });
    expect([res.status, res.json.updatedMember.role]).toEqual([200, 'noaccess']);
  });

  test('without role management only admin may be assigned globally (402)', async () => {
    emu.setPlan({ roleManagement: false });
    const res = await update('u_alice', { member: { role: 'readonly' } });
    expect([res.status, res.json]).toEqual([
      402,
      { message: 'Your plan only supports the admin role. Upgrade your plan to assign other roles.' },
    ]);
  });

  test('without role management the 402 comes before role validity', async () => {
    emu.setPlan({ roleManagement: false });
    expect((await update('u_alice', { member: { role: 'superuser' } })).status).toBe(402);
  });

  test('without role management, keeping the global role or assigning admin passes', async () => {
    emu.setPlan({ roleManagement: false });
    const kept = await update('u_alice', { member: { role: 'noaccess' } });
    const admin = await update('u_bob', { member: { role: 'admin' } });
    expect([kept.status, admin.status]).toEqual([200, 200]);
  });
});

describe('update semantics (§8)', () => {
  test('the answer uses role (not globalRole) and the path id', async () => {
    const res = await update('u_carol', { member: { role: 'readonly' } });
    expect(res.json).toEqual({
      updatedMember: { id: 'u_carol', role: 'readonly', environments: [], limitAccessByEnvironment: false },
    });
  });

  test("the reference's example 1 round-trips exactly", async () => {
    const res = await update('u_bob', {
      member: {
        role: 'collaborator',
        projectRoles: [
          { project: 'prj_2Kc9wQe7', role: 'engineer', environments: ['staging'] },
          { project: 'prj_19g61olhd5t5ky', role: 'readonly', environments: [] },
        ],
      },
    });
    expect(JSON.stringify(res.json)).toBe(
      JSON.stringify({
        updatedMember: {
          id: 'u_bob',
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
      }),
    );
  });

  test('a non-empty projectRoles replaces the whole array', async () => {
    await update('u_alice', {
      member: { projectRoles: [{ project: 'prj_c', role: 'readonly', environments: [] }] },
    });
    expect(emu.member('u_alice')?.projectRoles?.map((r) => r.project)).toEqual(['prj_c']);
  });

  test('projectRoles [] clears every project role', async () => {
    await update('u_alice', { member: { projectRoles: [] } });
    expect(emu.member('u_alice')?.projectRoles).toEqual([]);
  });

  test('absent projectRoles keeps them', async () => {
    await update('u_alice', { member: { role: 'readonly' } });
    expect(emu.member('u_alice')?.projectRoles?.map((r) => r.project)).toEqual(['prj_a', 'prj_b']);
  });

  test('omitting environments clears the global flag but keeps the list (the reset quirk)', async () => {
    await update('u_bob', { member: { role: 'engineer' } });
    const saved = emu.member('u_bob');
    expect([saved?.environments, saved?.limitAccessByEnvironment]).toEqual([['production'], false]);
  });

  test('sending environments sets the list and the flag', async () => {
    await update('u_bob', { member: { environments: ['dev', 'staging'] } });
    const saved = emu.member('u_bob');
    expect([saved?.environments, saved?.limitAccessByEnvironment]).toEqual([['dev', 'staging'], true]);
  });

  test('environments [] clears the list', async () => {
    await update('u_bob', { member: { environments: [] } });
    expect(emu.member('u_bob')?.environments).toEqual([]);
  });

  test('an empty role keeps the global role', async () => {
    await update('u_bob', { member: { role: '', environments: ['production'] } });
    expect(emu.member('u_bob')?.globalRole).toBe('engineer');
  });

  test('globalRole inside member is stripped and changes nothing', async () => {
    const before = emu.member('u_alice');
    const res = await update('u_alice', { member: { globalRole: 'admin' } });
    expect([res.status, emu.member('u_alice')]).toEqual([200, before]);
  });

  test('unknown keys inside a rule are stripped and its flag follows its environments', async () => {
    const rule = {
      project: 'prj_a',
      role: 'readonly',
      environments: [],
      limitAccessByEnvironment: true,
      note: 'x',
    };
    await update('u_alice', { member: { projectRoles: [rule] } });
    expect(emu.member('u_alice')?.projectRoles).toEqual([
      {
        project: 'prj_a',
        role: 'readonly',
        environments: [],
        limitAccessByEnvironment: false,
        additionalRoles: [],
      },
    ]);
  });

  test('a rule with environments is limited even if the flag sent says false', async () => {
    const rule = {
      project: 'prj_a',
      role: 'engineer',
      environments: ['dev'],
      limitAccessByEnvironment: false,
    };
    const res = await update('u_alice', { member: { projectRoles: [rule] } });
    expect(res.json.updatedMember.projectRoles[0].limitAccessByEnvironment).toBe(true);
  });

  test('global additionalRoles are replaced and normalized', async () => {
    await update('u_alice', { member: { additionalRoles: [{ role: 'engineer', environments: ['dev'] }] } });
    expect(emu.member('u_alice')?.additionalRoles).toEqual([
      { role: 'engineer', environments: ['dev'], limitAccessByEnvironment: true },
    ]);
  });

  test('teams, managedbyIdp and dates are never changed', async () => {
    const before = emu.member('u_alice');
    await update('u_alice', { member: { role: 'readonly', teams: [], managedByIdp: true } });
    const after = emu.member('u_alice');
    expect([after?.teams, after?.managedbyIdp, after?.dateCreated]).toEqual([
      before?.teams,
      false,
      before?.dateCreated,
    ]);
  });

  test('project ids are not checked for existence', async () => {
    const res = await update('u_alice', {
      member: { projectRoles: [{ project: 'prj_nonexistent', role: 'readonly', environments: [] }] },
    });
    expect(res.status).toBe(200);
  });

  test('the update shows in listMembers with globalRole', async () => {
    await update('u_alice', { member: { role: 'readonly' } });
    const res = await call(emu.url, '/api/v1/members?userEmail=alice@example.org');
    expect(res.json.members[0].globalRole).toBe('readonly');
  });
});

describe('role rules (§6, §8 step 9)', () => {
  const rejected: Array<[proves: string, member: object, message: string]> = [
    ['an unknown role', { role: 'superuser' }, 'superuser is not a valid role'],
    [
      'custom role ids are case-sensitive',
      { role: 'customelevatedaccess' },
      'customelevatedaccess is not a valid role',
    ],
    ['a custom role may not take a reserved id', { role: 'designer' }, 'designer is not a valid role'],
    [
      'readonly cannot be limited to environments',
      { role: 'readonly', environments: ['production'] },
      'readonly does not support restricting access to certain environments.',
    ],
    [
      'noaccess cannot be limited to environments',
      { role: 'noaccess', environments: ['production'] },
      'noaccess does not support restricting access to certain environments.',
    ],
    [
      'admin cannot be limited to environments',
      { role: 'admin', environments: ['production'] },
      'admin does not support restricting access to certain environments.',
    ],
    [
      'a custom role without env support cannot be limited',
      { role: 'CustomElevatedAccess', environments: ['dev'] },
      'CustomElevatedAccess does not support restricting access to certain environments.',
    ],
    [
      'environment ids must exist in the org',
      { role: 'engineer', environments: ['qa'] },
      'qa is not a valid environment ID for this organization.',
    ],
    [
      'project rules get the same checks',
      { projectRoles: [{ project: 'prj_a', role: 'readonly', environments: ['production'] }] },
      'readonly does not support restricting access to certain environments.',
    ],
    [
      "a project rule's additional roles get the same checks",
      {
        projectRoles: [
          {
            project: 'prj_a',
            role: 'readonly',
            environments: [],
            additionalRoles: [{ role: 'nope', environments: [] }],
          },
        ],
      },
      'nope is not a valid role',
    ],
    [
      'global additional roles get the same checks',
      { additionalRoles: [{ role: 'readonly', environments: ['dev'] }] },
      'readonly does not support restricting access to certain environments.',
    ],
  ];
  for (const [proves, member, message] of rejected) {
    test(`rejects: ${proves}`, async () => {
      const res = await update('u_carol', { member });
      expect([res.status, res.json]).toEqual([400, { message }]);
    });
  }

  const accepted: Array<[proves: string, member: object]> = [
    ['a custom role by its exact id', { role: 'CustomElevatedAccess' }],
    [
      'a custom role in a project rule',
      { projectRoles: [{ project: 'prj_a', role: 'CustomElevatedAccess', environments: [] }] },
    ],
    ['engineer limited to environments', { role: 'engineer', environments: ['production'] }],
    ['experimenter limited to environments', { role: 'experimenter', environments: ['dev'] }],
    ['a custom role with env support, limited', { role: 'EnvScoped', environments: ['staging'] }],
    ['noaccess with environments []', { role: 'noaccess', environments: [] }],
    ['the project admin role', { role: 'gbDefault_projectAdmin' }],
  ];
  for (const [proves, member] of accepted) {
    test(`accepts: ${proves}`, async () => {
      expect((await update('u_carol', { member })).status).toBe(200);
    });
  }

  test('the whole resulting member is validated, saved rules included', async () => {
    emu.setMember({ ...bob, projectRoles: [{ project: 'prj_a', role: 'retiredRole', environments: [] }] });
    const res = await update('u_bob', { member: { role: 'readonly' } });
    expect([res.status, res.json.message]).toEqual([400, 'retiredRole is not a valid role']);
  });

  test('a saved global env list behind a cleared flag is not checked', async () => {
    const res = await update('u_bob', { member: { role: 'readonly' } });
    expect(res.status).toBe(200);
  });

  test('a rejected update changes nothing', async () => {
    const before = emu.member('u_alice');
    await update('u_alice', { member: { role: 'superuser', projectRoles: [] } });
    expect(emu.member('u_alice')).toEqual(before);
  });
});

describe('plan features (§6)', () => {
  const gated: Array<[proves: string, plan: object, member: object, message: string]> = [
    [
      'noaccess needs the no-access-role feature',
      { noAccessRole: false },
      { role: 'noaccess' },
      'Must have a enterprise plan to gain access to the no-access role.',
    ],
    [
      'the project admin role needs its feature',
      { projectAdminRole: false },
      { role: 'gbDefault_projectAdmin' },
      'Must have a enterprise plan to gain access to the project admin role.',
    ],
    [
      'environment limits need advanced permissions',
      { advancedPermissions: false },
      { role: 'engineer', environments: ['dev'] },
      'Must have a pro plan to restrict permissions by environment.',
    ],
    [
      'project roles need advanced permissions',
      { advancedPermissions: false },
      { projectRoles: [{ project: 'prj_a', role: 'readonly', environments: [] }] },
      'Your plan does not support providing users with project-level permissions.',
    ],
  ];
  for (const [proves, plan, member, message] of gated) {
    test(proves, async () => {
      emu.setPlan(plan);
      const res = await update('u_carol', { member });
      expect([res.status, res.json]).toEqual([400, { message }]);
    });
  }

  test('without advanced permissions, clearing project roles still passes', async () => {
    emu.setPlan({ advancedPermissions: false });
    expect((await update('u_alice', { member: { projectRoles: [] } })).status).toBe(200);
  });
});
