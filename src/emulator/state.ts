// The emulated organization: what GrowthBook keeps in its organization document (members, saved
// environments, custom roles, plan) and in the users collection, built from a seed.
import type {
  EmulatorSeed,
  SeedCustomRole,
  SeedExtraRole,
  SeedMember,
  SeedPlan,
  SeedProject,
  SeedProjectRole,
} from './types.js';

export interface StoredExtraRole {
  role: string;
  environments: string[];
  limitAccessByEnvironment: boolean;
}

export interface StoredProjectRole {
  project: string;
  role: string;
  limitAccessByEnvironment: boolean;
  environments: string[];
  additionalRoles?: StoredExtraRole[];
}

/** An entry of `org.members`; `managedByIdp` is camel-cased internally (§7). */
export interface StoredMember {
  id: string;
  role: string;
  environments: string[];
  limitAccessByEnvironment: boolean;
  additionalRoles?: StoredExtraRole[];
  projectRoles?: StoredProjectRole[];
  teams?: string[];
  managedByIdp?: boolean;
  dateCreated?: string;
  lastLoginDate?: string;
}

export interface UserDocument {
  email: string;
  name?: string;
  dateCreated: string;
}

export interface StoredEnvironment {
  id: string;
  projects: string[];
  description: string;
  defaultState: boolean;
  toggleOnList: boolean;
}

export interface OrgState {
  /** Replaced whole on every write, as GrowthBook's `updateOrganization` does (§8 step 10). */
  members: StoredMember[];
  /** Keyed by member id; a member without one is dropped from listMembers (§7). */
  users: Map<string, UserDocument>;
  projects: SeedProject[];
  environments: StoredEnvironment[];
  customRoles: SeedCustomRole[];
  plan: Required<SeedPlan>;
}

/** The users collection's creation date when a seed gives none (fixed, so outputs are stable). */
const DEFAULT_USER_CREATED = '2024-01-01T00:00:00.000Z';

const PLAN_DEFAULTS: Required<SeedPlan> = {
  advancedPermissions: true,
  noAccessRole: true,
  projectAdminRole: true,
  roleManagement: true,
};

export function createOrgState(seed: EmulatorSeed): OrgState {
  const state: OrgState = {
    members: [],
    users: new Map(),
    projects: seed.projects.map((p) => structuredClone(p)),
    environments: (seed.environments ?? [{ id: 'dev' }, { id: 'production' }]).map((e) => ({
      id: e.id,
      projects: e.projects ?? [],
      description: e.description ?? '',
      defaultState: e.defaultState ?? true,
      toggleOnList: e.toggleOnList ?? false,
    })),
    customRoles: (seed.customRoles ?? []).map((r) => {
      // §6: custom role ids are letters, digits and underscores.
      if (!/^\w+$/.test(r.id))
        throw new Error(`emulator seed: invalid custom role id ${JSON.stringify(r.id)}`);
      return { ...r };
    }),
    plan: { ...PLAN_DEFAULTS, ...seed.plan },
  };
  const ids = new Set<string>();
  for (const m of seed.members) {
    if (ids.has(m.id)) throw new Error(`emulator seed: duplicate member id ${m.id}`);
    ids.add(m.id);
    putMember(state, m);
  }
  return state;
}

const extraFromSeed = (r: SeedExtraRole): StoredExtraRole => ({
  role: r.role,
  environments: [...r.environments],
  limitAccessByEnvironment: r.limitAccessByEnvironment ?? r.environments.length > 0,
});

function projectRoleFromSeed(r: SeedProjectRole): StoredProjectRole {
  const environments = [...(r.environments ?? [])];
  const rule: StoredProjectRole = {
    project: r.project,
    role: r.role,
    limitAccessByEnvironment: r.limitAccessByEnvironment ?? environments.length > 0,
    environments,
  };
  if (r.additionalRoles) rule.additionalRoles = r.additionalRoles.map(extraFromSeed);
  return rule;
}

export function memberFromSeed(m: SeedMember): StoredMember {
  const environments = [...(m.environments ?? [])];
  const stored: StoredMember = {
    id: m.id,
    role: m.globalRole,
    environments,
    limitAccessByEnvironment: m.limitAccessByEnvironment ?? environments.length > 0,
  };
  if (m.additionalRoles) stored.additionalRoles = m.additionalRoles.map(extraFromSeed);
  if (m.projectRoles) stored.projectRoles = m.projectRoles.map(projectRoleFromSeed);
  if (m.teams) stored.teams = [...m.teams];
  if (m.managedbyIdp !== undefined) stored.managedByIdp = m.managedbyIdp;
  if (m.dateCreated) stored.dateCreated = m.dateCreated;
  if (m.lastLoginDate) stored.lastLoginDate = m.lastLoginDate;
  return stored;
}

/** Insert or replace a member and its user document. */
export function putMember(state: OrgState, m: SeedMember): void {
  const stored = memberFromSeed(m);
  const at = state.members.findIndex((x) => x.id === m.id);
  state.members =
    at === -1 ? [...state.members, stored] : state.members.map((x, i) => (i === at ? stored : x));
  if (m.noUserDocument) state.users.delete(m.id);
  else
    state.users.set(m.id, {
      email: m.email,
      ...(m.name === undefined ? {} : { name: m.name }),
      dateCreated: m.dateCreated ?? DEFAULT_USER_CREATED,
    });
}

export function dropMember(state: OrgState, id: string): void {
  state.members = state.members.filter((m) => m.id !== id);
  state.users.delete(id);
}

/** A private copy of the members array, as a request handler reads it from the database. */
export const readMembers = (state: OrgState): StoredMember[] => structuredClone(state.members);
