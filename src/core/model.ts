// Plain data shared by the pure core and the shell around it. No I/O here or anywhere in src/core.

export type {
  Action,
  ActionKind,
  ActionResult,
  ChangeKind,
  ExtraRole,
  Member,
  ProjectRole,
  RoleId,
  SafetyReport,
  SkipReason,
  SourceName,
  Summary,
} from './plan.js';
export { CHANGE_KINDS } from './plan.js';

import type { RoleId } from './plan.js';

export const NO_ACCESS: RoleId = 'noaccess';

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

/** Why a group `member` value is not a person: it grants nothing and is reported, not trusted. */
export type IgnoredMemberReason = 'outside-people-base' | 'no-entry' | 'no-uid';

export const IGNORED_MEMBER_REASONS: readonly IgnoredMemberReason[] = [
  'outside-people-base',
  'no-entry',
  'no-uid',
];

/** A group member DN that names no person (a service group, an offboarded person's leftover DN…). */
export interface IgnoredMember {
  group: string;
  dn: string;
  reason: IgnoredMemberReason;
}

/**
 * What the LDAP source hands to the core: every configured group, and every person those groups or
 * the GrowthBook members refer to. Each group's `memberDns` holds only DNs that resolve to a person;
 * the other member values are listed in `ignoredMembers`.
 */
export interface Directory {
  groups: LdapGroup[];
  people: LdapPerson[];
  ignoredMembers: IgnoredMember[];
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

/** A managed GrowthBook project and the policy that decides roles in it. */
export interface ManagedProject {
  id: string;
  policy: Policy;
}

/** A person's target role in a managed project and why. */
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
