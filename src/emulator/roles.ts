// Roles as GrowthBook resolves them (docs/growthbook-api.md §6).
import type { SeedCustomRole } from './types.js';

/** Built-in role ids in declaration order, and whether each grants an environment-scoped permission. */
const BUILT_IN_ROLES: ReadonlyMap<string, { supportsEnvLimit: boolean }> = new Map([
  ['noaccess', { supportsEnvLimit: false }],
  ['readonly', { supportsEnvLimit: false }],
  ['collaborator', { supportsEnvLimit: false }],
  ['visualEditor', { supportsEnvLimit: false }],
  ['engineer', { supportsEnvLimit: true }],
  ['analyst', { supportsEnvLimit: false }],
  ['experimenter', { supportsEnvLimit: true }],
  ['gbDefault_projectAdmin', { supportsEnvLimit: false }],
  ['admin', { supportsEnvLimit: false }],
]);

// §6: legacy ids are reserved too (renamed on read), so a custom role may not take them either.
const RESERVED = new Set([...BUILT_IN_ROLES.keys(), 'designer', 'developer']);

export interface RoleInfo {
  id: string;
  supportsEnvLimit: boolean;
}

/** `getRoleById`: exact, case-sensitive id among built-ins, then custom roles not colliding with them. */
export function findRole(id: string, customRoles: readonly SeedCustomRole[]): RoleInfo | undefined {
  const builtIn = BUILT_IN_ROLES.get(id);
  if (builtIn) return { id, ...builtIn };
  if (RESERVED.has(id)) return undefined;
  const custom = customRoles.find((r) => r.id === id);
  // §6 roleSupportsEnvLimit: never for admin or project admin (built-ins, handled above).
  return custom && { id, supportsEnvLimit: custom.supportsEnvLimit ?? false };
}
