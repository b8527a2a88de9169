// The identity join: LDAP group member DNs → people → uid → data.yaml POSIX groups, and mail → people.
import { normalizeDn } from './dn.js';
import type { Directory, LdapPerson, Policy, PosixGroups } from './model.js';

/** What the policy needs to know about one LDAP person. */
export interface PersonRecord {
  uid: string;
  dn: string;
  /** The first mail as LDAP holds it (trimmed), or null on accounts without one. */
  mail: string | null;
  /** Every mail of the person; each one joins to GrowthBook. */
  mails: string[];
  /** Configured LDAP group names (policy spelling) the person is a member of. */
  ldapGroups: string[];
  /** POSIX groups named by a policy (gate and qualifiers) the person's uid is a member of. */
  posixGroups: string[];
}

export interface PeopleIndex {
  people: PersonRecord[];
  /** Normalised mail → every person carrying it (more than one means the identity is ambiguous). */
  byMail: Map<string, PersonRecord[]>;
  /** uid (case-sensitive, as in data.yaml) → person. */
  byUid: Map<string, PersonRecord>;
}

/** E-mails compare trimmed and case-insensitively on both sides. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** LDAP group names compare case-insensitively, as LDAP does. */
export const sameGroupName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Every LDAP group the policies name, de-duplicated case-insensitively, in policy spelling. */
export function policyLdapGroups(policies: readonly Policy[]): string[] {
  const seen = new Map<string, string>();
  for (const rule of policies.flatMap((p) => p.rules)) {
    const key = rule.ldapGroup.toLowerCase();
    if (!seen.has(key)) seen.set(key, rule.ldapGroup);
  }
  return [...seen.values()];
}

/** Every POSIX group the policies name: gates first, then rule qualifiers. */
export function policyPosixGroups(policies: readonly Policy[]): string[] {
  const names = [
    ...policies.flatMap((p) => p.gate),
    ...policies.flatMap((p) => p.rules.flatMap((r) => r.posixAnyOf ?? [])),
  ];
  return [...new Set(names)];
}

/**
 * One index for every managed project: each person carries the groups any policy names, and each
 * policy looks only at its own when it resolves.
 */
export function joinIdentities(
  directory: Directory,
  posix: PosixGroups,
  policies: readonly Policy[],
): PeopleIndex {
  const configuredGroups = policyLdapGroups(policies);
  const posixNames = policyPosixGroups(policies);

  // DN (normalised) → configured group names holding it.
  const groupsByDn = new Map<string, string[]>();
  for (const name of configuredGroups) {
    for (const group of directory.groups.filter((g) => sameGroupName(g.name, name))) {
      for (const dn of group.memberDns) {
        if (dn.trim() === '') continue;
        const key = normalizeDn(dn);
        const held = groupsByDn.get(key) ?? [];
        if (!held.includes(name)) held.push(name);
        groupsByDn.set(key, held);
      }
    }
  }

  // uid → policy POSIX groups holding it.
  const posixByUid = new Map<string, string[]>();
  for (const name of posixNames) {
    for (const uid of posix.groups[name] ?? []) {
      const held = posixByUid.get(uid) ?? [];
      if (!held.includes(name)) held.push(name);
      posixByUid.set(uid, held);
    }
  }

  const people: PersonRecord[] = [];
  const byMail = new Map<string, PersonRecord[]>();
  const byUid = new Map<string, PersonRecord>();
  const seenDns = new Set<string>();
  for (const person of directory.people) {
    const dnKey = normalizeDn(person.dn);
    if (seenDns.has(dnKey)) continue; // the same entry reached twice (e.g. by group and by mail)
    seenDns.add(dnKey);
    const record = toRecord(person, groupsByDn.get(dnKey) ?? [], posixByUid.get(person.uid) ?? []);
    people.push(record);
    byUid.set(record.uid, record);
    for (const key of new Set(record.mails.map(normalizeEmail))) {
      byMail.set(key, [...(byMail.get(key) ?? []), record]);
    }
  }
  return { people, byMail, byUid };
}

function toRecord(person: LdapPerson, ldapGroups: string[], posixGroups: string[]): PersonRecord {
  const mails = person.mails.map((m) => m.trim()).filter((m) => m !== '');
  return { uid: person.uid, dn: person.dn, mail: mails[0] ?? null, mails, ldapGroups, posixGroups };
}
