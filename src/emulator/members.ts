// GET /api/v1/members (docs/growthbook-api.md §7) and the list shape of a member.
import { permissionError } from './api-error.js';
import { canManageTeam } from './auth.js';
import type { HandlerContext } from './handler.js';
import { byId, paginate } from './pagination.js';
import type { OrgState, StoredMember, UserDocument } from './state.js';
import type { ApiMember } from './types.js';
import type { ListMembersQuery } from './validate.js';

/** `expandOrgMembers` joined with the user document, field by field as listMembers answers. */
export function toApiMember(m: StoredMember, user: UserDocument): ApiMember {
  // The response is not validated, so saved arrays go out as saved and absent ones stay absent.
  return {
    id: m.id,
    name: user.name ?? '',
    email: user.email,
    // §7: `globalRole` here, `role` in updates.
    globalRole: m.role,
    ...(m.teams && { teams: [...m.teams] }),
    environments: [...m.environments],
    limitAccessByEnvironment: m.limitAccessByEnvironment,
    ...(m.additionalRoles && { additionalRoles: structuredClone(m.additionalRoles) }),
    ...(m.projectRoles && { projectRoles: structuredClone(m.projectRoles) }),
    ...(m.lastLoginDate && { lastLoginDate: m.lastLoginDate }),
    dateCreated: m.dateCreated ?? user.dateCreated,
    // §7: lower-case "b", always present.
    managedbyIdp: m.managedByIdp ?? false,
  };
}

/** Members with a user document, in list shape, sorted by id; the rest are silently dropped (§7). */
export function expandMembers(
  state: OrgState,
  members: readonly StoredMember[] = state.members,
): ApiMember[] {
  const out: ApiMember[] = [];
  for (const m of members) {
    const user = state.users.get(m.id);
    if (user) out.push(toApiMember(m, user));
  }
  return out.sort(byId);
}

// The members array sorted by id, per array: every write replaces the array (see OrgState), so a
// new array gets a new order and reading 200 pages of 20,000 members sorts once, not 200 times.
const sortedByArray = new WeakMap<readonly StoredMember[], StoredMember[]>();

function sortedMembers(members: readonly StoredMember[]): StoredMember[] {
  let sorted = sortedByArray.get(members);
  if (sorted === undefined) {
    sorted = [...members].sort(byId);
    sortedByArray.set(members, sorted);
  }
  return sorted;
}

export function listMembers(ctx: HandlerContext): unknown {
  if (!canManageTeam(ctx.key)) throw permissionError();
  const q = ctx.query as ListMembersQuery;
  const { state } = ctx;
  // §7: filters are exact and case-sensitive; an empty value matches only an empty field. They
  // read the same fields toApiMember writes, so only the page is built.
  const matching = sortedMembers(state.members).filter((m) => {
    const user = state.users.get(m.id);
    return (
      user !== undefined &&
      (q.userName === undefined || (user.name ?? '') === q.userName) &&
      (q.userEmail === undefined || user.email === q.userEmail) &&
      (q.globalRole === undefined || m.role === q.globalRole)
    );
  });
  const { page, fields } = paginate(matching, q);
  return { members: page.map((m) => toApiMember(m, state.users.get(m.id) as UserDocument)), ...fields };
}
