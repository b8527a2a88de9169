// The body of POST /api/v1/members/{id}/role. GrowthBook replaces the whole projectRoles array and
// resets an environment restriction that is not resent, so the body carries everything back. One
// body carries every managed entry of the member that changes: one write per member.
import type { ExtraRole, Member, ProjectRole, RoleId } from './model.js';

/** Built-in roles that accept environment limits (GrowthBook `roleSupportsEnvLimit`). */
export const ENV_LIMIT_ROLES: readonly RoleId[] = ['engineer', 'experimenter'];

export interface RoleUpdate {
  role: RoleId;
  environments: string[];
  projectRoles: ProjectRole[];
  additionalRoles?: ExtraRole[];
}

export interface WriteTargets {
  /** Managed project → the role its entry gets (owned whole: `{project, role, environments: []}`). */
  changes: ReadonlyMap<string, RoleId>;
  /** Every managed project. Those not changed keep the member's effective access exactly. */
  managed: readonly string[];
  pinnedGlobalRole: RoleId;
}

/**
 * The write for `member` as just read. A managed project that is not changed but whose access came
 * from the global role (no entry) gets an explicit entry with that role when the pin would change
 * it, so pinning never alters access in a managed project by the back door.
 */
export function buildRoleUpdate(
  member: Member,
  targets: WriteTargets,
): { body: RoleUpdate; owned: string[] } {
  const { changes, pinnedGlobalRole } = targets;
  const owned = new Map(changes);
  for (const project of targets.managed) {
    if (owned.has(project) || member.projectRoles.some((p) => p.project === project)) continue;
    if (member.globalRole !== pinnedGlobalRole) owned.set(project, member.globalRole);
  }
  const projectRoles: ProjectRole[] = [];
  const placed = new Set<string>();
  for (const entry of member.projectRoles) {
    const role = owned.get(entry.project);
    if (role === undefined) {
      projectRoles.push(copyEntry(entry));
    } else if (!placed.has(entry.project)) {
      projectRoles.push({ project: entry.project, role, environments: [] }); // in place; duplicates dropped
      placed.add(entry.project);
    }
  }
  for (const [project, role] of owned) {
    if (!placed.has(project)) projectRoles.push({ project, role, environments: [] });
  }

  const update: RoleUpdate = {
    role: pinnedGlobalRole,
    // GrowthBook answers 400 to a role without env-limit support and a non-empty list.
    environments: ENV_LIMIT_ROLES.includes(pinnedGlobalRole) ? [...member.environments] : [],
    projectRoles,
  };
  if (member.additionalRoles !== undefined) update.additionalRoles = member.additionalRoles.map(copyExtra);
  // `owned`: the entries this body writes whole, in the owned shape; verification checks that shape.
  return { body: update, owned: [...owned.keys()] };
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
 * global role, each owned entry in its owned shape, and every other entry as it was sent.
 */
export function verifyWrittenMember(after: Member, sent: RoleUpdate, owned: readonly string[]): string[] {
  const problems: string[] = [];
  if (after.globalRole !== sent.role)
    problems.push(`global role is ${after.globalRole}, expected ${sent.role}`);
  for (const project of owned) {
    const entries = after.projectRoles.filter((p) => p.project === project);
    const want = sent.projectRoles.find((p) => p.project === project);
    if (entries.length !== 1 || !want) {
      problems.push(`has ${entries.length} entries for project ${project}, expected 1`);
      continue;
    }
    const got = entries[0] as ProjectRole;
    if (got.role !== want.role) problems.push(`role in ${project} is ${got.role}, expected ${want.role}`);
    if (got.environments.length > 0)
      problems.push(`entry for ${project} keeps environments ${got.environments.join(', ')}`);
    if ((got.additionalRoles ?? []).length > 0) problems.push(`entry for ${project} keeps additional roles`);
  }
  const others = (list: ProjectRole[]) =>
    JSON.stringify(
      list
        .filter((p) => !owned.includes(p.project))
        .map((p) => ({ project: p.project, role: p.role, environments: p.environments })),
    );
  if (others(after.projectRoles) !== others(sent.projectRoles)) {
    problems.push('entries of other projects differ from what was written');
  }
  return problems;
}
