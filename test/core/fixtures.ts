import { DEFAULT_POLICY } from '../../src/config/schema.js';
import type { ManagedProject, Member, Policy, Scope } from '../../src/core/index.js';

export const POLICY: Policy = DEFAULT_POLICY;
export const GATE = 'analytics-privatedata-users';
export const ADMIN_GROUP = 'growthbook-admin';
export const ELEVATED_GROUP = 'growthbook-customelevatedaccess';
export const READONLY_GROUP = 'growthbook-readonly';
export const ELEVATED_ROLE = 'CustomElevatedAccess';
export const PROJECT = 'prj_wikimedia';

export const PROJECTS: ManagedProject[] = [{ id: PROJECT, policy: POLICY }];

export const SCOPE: Scope = {
  globalRole: 'noaccess',
  emailDomains: ['wikimedia.org'],
  protectedEmails: [],
};

export function member(overrides: Partial<Member> & { email: string }): Member {
  return {
    id: `u_${overrides.email.split('@')[0]}`,
    globalRole: 'noaccess',
    environments: [],
    projectRoles: [],
    managedbyIdp: false,
    ...overrides,
  };
}

export const projectRole = (role: string, environments: string[] = [], project = PROJECT) => ({
  project,
  role,
  environments,
  limitAccessByEnvironment: environments.length > 0,
});
