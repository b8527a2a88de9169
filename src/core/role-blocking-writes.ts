// GrowthBook validates the whole resulting member on every update, entries the write did not touch
// included. A role that no longer exists (a deleted custom role) in another project's entry makes it
// refuse every write for that member, run after run. The sync must not repair another project, so it
// names the entry that blocks, for a person to fix.
import type { Member } from './model.js';

/** Where the blocking role sits: another project's id, or the member's global extra roles. */
export const GLOBAL_EXTRA_ROLES = '(global additionalRoles)';

export interface BlockingRole {
  project: string;
  role: string;
}

// GrowthBook's wording; releases up to 5.0.1 add a stray ")" after the role id.
const NOT_A_VALID_ROLE = /^(.+?)\)? is not a valid role\.?$/;

/**
 * The entry outside the managed project that names the role GrowthBook says is not valid, or null
 * when the refusal is about something else (or about a role the write itself sets).
 */
export function roleBlockingWrites(
  member: Member,
  managedProjects: readonly string[],
  serverMessage: string | null,
): BlockingRole | null {
  const role = NOT_A_VALID_ROLE.exec(serverMessage?.trim() ?? '')?.[1];
  if (role === undefined) return null;
  for (const entry of member.projectRoles) {
    if (managedProjects.includes(entry.project)) continue;
    if (entry.role === role || entry.additionalRoles?.some((r) => r.role === role)) {
      return { project: entry.project, role };
    }
  }
  if (member.additionalRoles?.some((r) => r.role === role)) return { project: GLOBAL_EXTRA_ROLES, role };
  return null;
}
