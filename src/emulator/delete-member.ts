// DELETE /api/v1/members/{id} (docs/growthbook-api.md §9): removes the person from the whole
// organization. The product never calls it; tests assert that from the request log.
import { ApiError, permissionError } from './api-error.js';
import { canManageTeam } from './auth.js';
import type { HandlerContext } from './handler.js';
import { readMembers } from './state.js';
import { IDP_MESSAGE } from './update-member-role.js';

export async function deleteMember(ctx: HandlerContext): Promise<unknown> {
  if (!canManageTeam(ctx.key)) throw permissionError();
  const id = ctx.params.id ?? '';
  const members = readMembers(ctx.state);
  const current = members.find((m) => m.id === id);
  if (!current) throw new ApiError(400, 'Could not find user with that ID');
  if (current.managedByIdp === true) throw new ApiError(400, IDP_MESSAGE);
  if (current.role === 'admin' && members.filter((m) => m.role === 'admin').length === 1) {
    throw new ApiError(400, `Unable to remove ${id} from org: Cannot remove the only admin`);
  }
  // The user document stays: only the organization membership goes.
  await ctx.writeMembers(members.filter((m) => m.id !== id));
  return { deletedId: id };
}
