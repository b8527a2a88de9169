// POST /api/v1/members/{id}/role (docs/growthbook-api.md §8), in the documented order of checks.
import { ApiError, permissionError } from './api-error.js';
import { assertMemberValid } from './assert-member-valid.js';
import { canManageTeam } from './auth.js';
import type { HandlerContext } from './handler.js';
import type { StoredExtraRole, StoredMember, StoredProjectRole } from './state.js';
import type { UpdateMemberRoleBody } from './validate.js';

type MemberInput = UpdateMemberRoleBody['member'];

export const IDP_MESSAGE =
  'This user is managed via an External Identity Provider (IDP) via SCIM 2.0 - User can only be updated via the IDP';

export async function updateMemberRole(ctx: HandlerContext): Promise<unknown> {
  if (!canManageTeam(ctx.key)) throw permissionError();
  const id = ctx.params.id ?? '';
  const input = (ctx.body as UpdateMemberRoleBody).member;
  // Step 10's race starts here: the whole array is read now and written back whole later. The
  // array is never changed in place (every write replaces it), so holding it is that read; only
  // the member being changed is copied.
  const members = ctx.state.members;
  const found = members.find((m) => m.id === id);
  const current = found && structuredClone(found);
  if (!current) throw new ApiError(400, 'Could not find user with that ID');
  if (current.managedByIdp === true) throw new ApiError(400, IDP_MESSAGE);
  const updated = applyUpdate(current, input);
  // Step 8 comes before role validity, so there even an unknown role gets 402.
  if (!ctx.state.plan.roleManagement && updated.role !== current.role && updated.role !== 'admin') {
    throw new ApiError(
      402,
      'Your plan only supports the admin role. Upgrade your plan to assign other roles.',
    );
  }
  assertMemberValid(updated, ctx.state);
  await ctx.writeMembers(members.map((m) => (m.id === id ? castOnSave(updated) : m)));
  return {
    updatedMember: {
      id,
      role: updated.role,
      environments: updated.environments,
      limitAccessByEnvironment: updated.limitAccessByEnvironment,
      additionalRoles: updated.additionalRoles,
      projectRoles: updated.projectRoles,
    },
  };
}

/** §8 Update semantics: everything not named here is kept (`...orgUser`). */
function applyUpdate(current: StoredMember, input: MemberInput): StoredMember {
  const updated: StoredMember = {
    ...current,
    // `""` keeps the old role, as `member.role || orgUser.role` does.
    role: input.role || current.role,
    environments: input.environments ?? current.environments,
    // The reset quirk: recomputed from the request alone, so omitting `environments` clears the flag
    // while the saved list stays.
    limitAccessByEnvironment: !!input.environments?.length,
  };
  // A sent array replaces the saved one whole (`[]` clears); no per-project merge.
  if (input.projectRoles) updated.projectRoles = input.projectRoles.map(toProjectRule);
  if (input.additionalRoles) updated.additionalRoles = input.additionalRoles.map(toExtraRule);
  return updated;
}

// The sent flag is ignored: a rule is limited exactly when it names environments.
const toExtraRule = (r: { role: string; environments: string[] }): StoredExtraRole => ({
  role: r.role,
  environments: r.environments,
  limitAccessByEnvironment: r.environments.length > 0,
});

function toProjectRule(r: NonNullable<MemberInput['projectRoles']>[number]): StoredProjectRole {
  const rule: StoredProjectRole = {
    project: r.project,
    role: r.role,
    environments: r.environments,
    limitAccessByEnvironment: r.environments.length > 0,
  };
  if (r.additionalRoles) rule.additionalRoles = r.additionalRoles.map(toExtraRule);
  return rule;
}

/** §7 (inferred): Mongoose casts absent subdocument arrays to `[]` when the members array is saved. */
function castOnSave(m: StoredMember): StoredMember {
  return {
    ...m,
    additionalRoles: m.additionalRoles ?? [],
    projectRoles: (m.projectRoles ?? []).map((r) => ({ ...r, additionalRoles: r.additionalRoles ?? [] })),
  };
}
