// HEAD's `assertMemberRoleInfoValid` (docs/growthbook-api.md §8 step 9): the WHOLE resulting
// member is checked, rules saved earlier and not sent included.
import { ApiError } from './api-error.js';
import { findRole } from './roles.js';
import type { OrgState, StoredMember } from './state.js';
import { DUPLICATE_PROJECT_MESSAGE, hasDuplicateProjects } from './validate.js';

interface Rule {
  role: string;
  environments: string[];
  limitAccessByEnvironment: boolean;
}

export function assertMemberValid(member: StoredMember, state: OrgState): void {
  assertRuleValid(member, state);
  for (const extra of member.additionalRoles ?? []) assertRuleValid(extra, state);
  const projectRoles = member.projectRoles ?? [];
  if (projectRoles.length === 0) return;
  if (!state.plan.advancedPermissions) {
    throw new ApiError(400, 'Your plan does not support providing users with project-level permissions.');
  }
  if (hasDuplicateProjects(projectRoles)) throw new ApiError(400, DUPLICATE_PROJECT_MESSAGE);
  // §8: project ids are deliberately not checked for existence.
  for (const rule of projectRoles) {
    assertRuleValid(rule, state);
    for (const extra of rule.additionalRoles ?? []) assertRuleValid(extra, state);
  }
}

function assertRuleValid(rule: Rule, state: OrgState): void {
  const role = findRole(rule.role, state.customRoles);
  if (!role) throw new ApiError(400, `${rule.role} is not a valid role`);
  if (rule.role === 'noaccess' && !state.plan.noAccessRole) {
    throw new ApiError(400, 'Must have a enterprise plan to gain access to the no-access role.');
  }
  if (rule.role === 'gbDefault_projectAdmin' && !state.plan.projectAdminRole) {
    throw new ApiError(400, 'Must have a enterprise plan to gain access to the project admin role.');
  }
  // Environments are checked only when the rule's flag is set, so a stale list behind a false flag passes.
  if (!rule.limitAccessByEnvironment || rule.environments.length === 0) return;
  if (!state.plan.advancedPermissions) {
    throw new ApiError(400, 'Must have a pro plan to restrict permissions by environment.');
  }
  if (!role.supportsEnvLimit) {
    throw new ApiError(400, `${rule.role} does not support restricting access to certain environments.`);
  }
  for (const env of rule.environments) {
    if (!state.environments.some((e) => e.id === env)) {
      throw new ApiError(400, `${env} is not a valid environment ID for this organization.`);
    }
  }
}
