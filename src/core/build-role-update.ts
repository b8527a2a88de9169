// The body of POST /api/v1/members/{id}/role. GrowthBook replaces the whole projectRoles array and
// resets an environment restriction that is not resent, so the body carries everything back.
import type { ExtraRole, Member, ProjectRole, RoleId } from './model.js';

/** Built-in roles that accept environment limits (GrowthBook `roleSupportsEnvLimit`). */
export const ENV_LIMIT_ROLES: readonly RoleId[] = ['engineer', 'experimenter'];

export interface RoleUpdate {
  role: RoleId;
  environments: string[];
  projectRoles: ProjectRole[];
  additionalRoles?: ExtraRole[];
}

export function buildRoleUpdate(
  member: Member,
  project: string,
  target: RoleId,
  pinnedGlobalRole: RoleId,
): RoleUpdate {
  const owned: ProjectRole = { project, role: target, environments: [] };
  const projectRoles: ProjectRole[] = [];
  let placed = false;
  for (const entry of member.projectRoles) {
    if (entry.project !== project) {
      projectRoles.push(copyEntry(entry));
    } else if (!placed) {
      projectRoles.push(owned); // keeps the entry where it was; later duplicates are dropped
      placed = true;
    }
  }
  if (!placed) projectRoles.push(owned);

  const update: RoleUpdate = {
    role: pinnedGlobalRole,
    // GrowthBook answers 400 to a role without env-limit support and a non-empty list.
    environments: ENV_LIMIT_ROLES.includes(pinnedGlobalRole) ? [...member.environments] : [],
    projectRoles,
  };
  if (member.additionalRoles !== undefined) update.additionalRoles = member.additionalRoles.map(copyExtra);
  return update;
}

function copyEntry(entry: ProjectRole): ProjectRole {
  const copy: ProjectRole = {
    project: entry.project,
    role: entry.role,
    environments: [...entry.environments],
  };
  if (entry.limitAccessByEnvironment !== undefined)
    copy.limitAccessByEnvironment = entry.limitAccessByEnvironment;
  if (entry.additionalRoles !== undefined) copy.additionalRoles = entry.additionalRoles.map(copyExtra);
  return copy;
}

function copyExtra(extra: ExtraRole): ExtraRole {
  const copy: ExtraRole = { role: extra.role, environments: [...extra.environments] };
  if (extra.limitAccessByEnvironment !== undefined)
    copy.limitAccessByEnvironment = extra.limitAccessByEnvironment;
  return copy;
}

/**
 * Differences between a member read back after a write and what the write asked for: the pinned
 * global role, the owned managed entry, and every other project entry as it was sent.
 */
export function verifyWrittenMember(after: Member, sent: RoleUpdate, project: string): string[] {
  const problems: string[] = [];
  if (after.globalRole !== sent.role)
    problems.push(`global role is ${after.globalRole}, expected ${sent.role}`);
  const managed = after.projectRoles.filter((p) => p.project === project);
  const want = sent.projectRoles.find((p) => p.project === project);
  if (managed.length !== 1 || !want) {
    problems.push(`has ${managed.length} entries for project ${project}, expected 1`);
  } else {
    const got = managed[0] as ProjectRole;
    if (got.role !== want.role) problems.push(`project role is ${got.role}, expected ${want.role}`);
    if (got.environments.length > 0)
      problems.push(`project entry keeps environments ${got.environments.join(', ')}`);
    if ((got.additionalRoles ?? []).length > 0) problems.push('project entry keeps additional roles');
  }
  const others = (list: ProjectRole[]) =>
    JSON.stringify(
      list
        .filter((p) => p.project !== project)
        .map((p) => ({ project: p.project, role: p.role, environments: p.environments })),
    );
  if (others(after.projectRoles) !== others(sent.projectRoles)) {
    problems.push('entries of other projects differ from what was written');
  }
  return problems;
}
