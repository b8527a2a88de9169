// Plain data shared by the pure core and the shell around it. No I/O here or anywhere in src/core.

/** A GrowthBook role id: built-in (`readonly`, `admin`…) or custom (`CustomElevatedAccess`). Opaque, case-sensitive. */
export type RoleId = string;

export const NO_ACCESS: RoleId = 'noaccess';

/** One extra role rule inside a project or global rule (GrowthBook HEAD `additionalRoles`). */
export interface ExtraRole {
  role: RoleId;
  environments: string[];
  limitAccessByEnvironment?: boolean;
}

/** One entry of a member's `projectRoles`, as GrowthBook returns it. */
export interface ProjectRole {
  project: string;
  role: RoleId;
  environments: string[];
  limitAccessByEnvironment?: boolean;
  additionalRoles?: ExtraRole[];
}

/** A GrowthBook organization member, as read from `GET /api/v1/members`. */
export interface Member {
  id: string;
  email: string;
  name?: string;
  globalRole: RoleId;
  environments: string[];
  limitAccessByEnvironment?: boolean;
  additionalRoles?: ExtraRole[];
  projectRoles: ProjectRole[];
  managedbyIdp: boolean;
}

/** An LDAP person entry: the DN, the shell name and every `mail` value (none on disabled accounts). */
export interface LdapPerson {
  dn: string;
  uid: string;
  /** All values, trimmed, empty ones dropped; `mail` is multi-valued in the schema. */
  mails: string[];
}

/** An LDAP group (groupOfNames) with its member DNs, exactly as the directory holds them. */
export interface LdapGroup {
  dn: string;
  name: string;
  memberDns: string[];
}

/**
 * What the LDAP source hands to the core: every configured group, and every person those groups or
 * the GrowthBook members refer to. Sources guarantee each non-empty member DN resolves to a person.
 */
export interface Directory {
  groups: LdapGroup[];
  people: LdapPerson[];
}

/** POSIX groups from data.yaml: group name → member uids (flattened, de-duplicated, absent users removed). */
export interface PosixGroups {
  groups: Record<string, string[]>;
}

export interface PolicyRule {
  id: string;
  ldapGroup: string;
  /** When present and non-empty, at least one of these POSIX groups must also hold. */
  posixAnyOf?: string[];
  role: RoleId;
}

export interface Policy {
  /** POSIX groups that gate all access (a person must be in at least one). */
  gate: string[];
  rules: PolicyRule[];
  /** Role ids from least to most privileged. */
  rank: RoleId[];
}

/** The sync's scope inside GrowthBook: which project, which members, what global role to pin. */
export interface Scope {
  project: string;
  globalRole: RoleId;
  /** Lower-cased domains; empty means every domain is in scope. */
  emailDomains: string[];
  /** Lower-cased, trimmed e-mails never written. */
  protectedEmails: string[];
}

/** A person's target role in the managed project and why. */
export interface Decision {
  role: RoleId;
  /** The id of the winning rule; null when no rule matched or the gate refused. */
  rule: string | null;
  /** The configured LDAP groups that decided the role (the winning rule's group; all held groups when gated). */
  ldapGroups: string[];
  /** The POSIX groups that decided it (gate group(s) held, and the qualifier that matched). */
  posixGroups: string[];
  /** One sentence an operator can read. */
  reason: string;
}

export type ChangeKind = 'revoke' | 'downgrade' | 'upgrade' | 'grant';
export type ActionKind = ChangeKind | 'noop' | 'skip' | 'pending';

export const CHANGE_KINDS: readonly ChangeKind[] = ['revoke', 'downgrade', 'upgrade', 'grant'];

export type SkipReason =
  | 'outside-email-domains'
  | 'protected-email'
  | 'global-admin'
  | 'managed-by-idp'
  | 'ambiguous-identity';

/** `planned` until applied; a change the run did not reach stays `planned`. */
export type ActionResult = 'planned' | 'applied' | 'failed';

/** One line of the plan. Field names equal the JSON contract in DESIGN.md. */
export interface Action {
  kind: ActionKind;
  email: string;
  memberId: string | null;
  uid: string | null;
  /** Effective access in the project before the change (project role, else global role). */
  from: RoleId | null;
  to: RoleId | null;
  rule: string | null;
  ldapGroups: string[];
  posixGroups: string[];
  /** For a skip, the skip reason code (e.g. `ambiguous-identity`); otherwise the decision in words. */
  reason: string;
  /** Human detail for skips; for a failed change, what went wrong. */
  detail?: string;
  result: ActionResult;
}

export interface SafetyReport {
  /** True when the breaker stopped the run (never true when overridden). */
  tripped: boolean;
  /** True when a limit was exceeded, whether or not the run was allowed to continue. */
  exceeded: boolean;
  overridden: boolean;
  threshold: number;
  population: number;
  revoke: number;
  downgrade: number;
}

export type Summary = Record<ActionKind, number>;
