// How a GrowthBook member stands in a managed project, as the plan and the applier see it.
import { type Member, NO_ACCESS, type ProjectRole, type RoleId } from './model.js';

export interface ProjectStanding {
  /** The first managed-project entry, if any. */
  entry: ProjectRole | null;
  /** Effective access: the project role when there is an entry, else the global role. */
  effective: RoleId;
  hasAccess: boolean;
  /** Why the managed entry is not in the owned shape `{project, role, environments: []}`; empty when clean. */
  drift: string[];
}

export function standingIn(member: Member, project: string): ProjectStanding {
  const entries = member.projectRoles.filter((p) => p.project === project);
  const entry = entries[0] ?? null;
  const effective = entry ? entry.role : member.globalRole;
  const drift: string[] = [];
  if (entry) {
    if (entry.environments.length > 0) drift.push(`environment limit ${entry.environments.join(', ')}`);
    if ((entry.additionalRoles ?? []).length > 0) drift.push('additional roles');
    if (entries.length > 1) drift.push(`${entries.length} entries for the project`);
  }
  return { entry, effective, hasAccess: effective !== NO_ACCESS, drift };
}

/**
 * The part of a member's state a planned write depends on: the global role and the entries of the
 * given projects (those the write changes). If a fresh read shows a different fingerprint, the plan
 * was made from a state that no longer holds and the write is refused. Entries of other projects,
 * managed or not, are not part of it: a write carries them over from the fresh read.
 */
export function memberFingerprint(member: Member, projects: readonly string[]): string {
  const wanted = [...new Set(projects)].sort();
  const managed = member.projectRoles
    .filter((p) => wanted.includes(p.project))
    .map((p) => ({
      project: p.project,
      role: p.role,
      environments: [...p.environments].sort(),
      additionalRoles: (p.additionalRoles ?? []).map((a) => ({
        role: a.role,
        environments: [...a.environments].sort(),
      })),
    }));
  managed.sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
  return JSON.stringify({
    email: member.email,
    globalRole: member.globalRole,
    managedbyIdp: member.managedbyIdp,
    managed,
  });
}
