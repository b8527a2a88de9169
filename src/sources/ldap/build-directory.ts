// Directory entries (from an LDIF export or an LDAP search) → the Directory the core reads. The
// rules live here once, for both sources: groups are found as LDAP finds them (case-insensitive cn);
// a member value that is not a person (outside the people base, no entry, no uid) grants nothing and
// is listed as ignored, or is a source error with strictMembers.

import { firstRdnValue, isDnUnder, normalizeDn, splitDn } from '../../core/dn.js';
import type { Directory, IgnoredMember, LdapGroup, LdapPerson } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';

/** One directory entry; attribute names lower-cased. */
export interface DirectoryEntry {
  dn: string;
  attributes: Map<string, string[]>;
}

export interface BuildDirectoryRequest {
  peopleBase: string;
  groupBase: string;
  /** Group names as configured; matched case-insensitively, returned as spelled here. */
  groupNames: string[];
  /** ldap.strictMembers: a member that is not a person is a source error instead of ignored. */
  strictMembers?: boolean;
}

const valuesOf = (entry: DirectoryEntry, name: string): string[] => entry.attributes.get(name) ?? [];

function isDirectlyUnder(dn: string, base: string): boolean {
  return isDnUnder(dn, base) && splitDn(normalizeDn(dn)).length === splitDn(normalizeDn(base)).length + 1;
}

export function buildDirectory(
  entries: DirectoryEntry[],
  request: BuildDirectoryRequest,
  origin: string,
): Directory {
  const fail = (detail: string): never => {
    throw new SourceReadError('ldap', `${origin}: ${detail}`);
  };

  const people = new Map<string, LdapPerson>();
  // Entries under the people base without a uid: a member naming one is `no-uid`, not `no-entry`.
  const withoutUid = new Set<string>();
  for (const entry of entries) {
    if (!isDnUnder(entry.dn, request.peopleBase)) continue;
    if (valuesOf(entry, 'uid').length === 0) {
      withoutUid.add(normalizeDn(entry.dn));
      continue;
    }
    const key = normalizeDn(entry.dn);
    if (people.has(key)) fail(`person ${entry.dn} appears twice`);
    people.set(key, toPerson(entry, fail));
  }

  const wanted = [...new Set(request.groupNames)];
  const wantedLower = new Set(wanted.map((name) => name.toLowerCase()));
  const matches = new Map<string, DirectoryEntry[]>();
  for (const entry of entries) {
    if (!isDirectlyUnder(entry.dn, request.groupBase)) continue;
    if (!valuesOf(entry, 'objectclass').some((oc) => oc.trim().toLowerCase() === 'groupofnames')) continue;
    // A cn may hold several values; one entry counts once per name.
    for (const cn of new Set(valuesOf(entry, 'cn').map((v) => v.trim().toLowerCase()))) {
      if (!wantedLower.has(cn)) continue;
      const list = matches.get(cn) ?? [];
      list.push(entry);
      matches.set(cn, list);
    }
  }

  const missing = wanted.filter((name) => !matches.has(name.toLowerCase()));
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    fail(`no groupOfNames ${list} under ${request.groupBase}`);
  }

  const problems: string[] = [];
  const ignored: IgnoredMember[] = [];
  const groups = wanted.map((name): LdapGroup => {
    const found = matches.get(name.toLowerCase()) ?? [];
    const [entry] = found;
    if (entry === undefined || found.length > 1) {
      return fail(`group "${name}" matches ${found.length} entries: ${found.map((e) => e.dn).join('; ')}`);
    }
    // groupOfNames requires `member`: its absence means the attribute was not readable (an ACL, an
    // anonymous bind), which must not be taken for an empty group.
    if (!entry.attributes.has('member')) {
      problems.push(`group "${name}" (${entry.dn}) came back without its member attribute (not readable?)`);
    }
    const memberDns: string[] = [];
    for (const dn of valuesOf(entry, 'member').filter((v) => v.trim() !== '')) {
      const key = normalizeDn(dn);
      if (people.has(key)) memberDns.push(dn);
      else if (!isDnUnder(dn, request.peopleBase))
        ignored.push({ group: name, dn, reason: 'outside-people-base' });
      else ignored.push({ group: name, dn, reason: withoutUid.has(key) ? 'no-uid' : 'no-entry' });
    }
    return { dn: entry.dn, name, memberDns };
  });
  if (request.strictMembers) {
    problems.push(
      ...ignored.map((m) => `${describeIgnoredMember(m, request.peopleBase)} (ldap.strictMembers)`),
    );
  }
  if (problems.length > 0) fail(problems.join('; '));

  return { groups, people: [...people.values()], ignoredMembers: ignored };
}

/** One ignored member in words, e.g. for the run's warning and `check`. */
export function describeIgnoredMember(member: IgnoredMember, peopleBase: string): string {
  const why =
    member.reason === 'outside-people-base'
      ? `not under ${peopleBase}`
      : member.reason === 'no-uid'
        ? 'an entry without a uid'
        : 'not an existing entry';
  return `group "${member.group}" has member ${member.dn}, which is ${why}`;
}

function toPerson(entry: DirectoryEntry, fail: (detail: string) => never): LdapPerson {
  const uids = [...new Set(valuesOf(entry, 'uid').map((v) => v.trim()))].filter((v) => v !== '');
  // uid is multi-valued in the schema; the one in the RDN is the shell name (Bitu writes it there).
  const rdnUid = firstRdnValue(entry.dn, 'uid');
  const uid = uids.length === 1 ? uids[0] : uids.find((v) => v.toLowerCase() === rdnUid?.toLowerCase());
  if (uid === undefined) {
    return fail(
      `person ${entry.dn} has ${uids.length === 0 ? 'an empty uid' : `several uids (${uids.join(', ')})`}`,
    );
  }
  // Every value counts: a search for (mail=x) matches any of them, and so must the identity join.
  const mails = [...new Set(valuesOf(entry, 'mail').map((v) => v.trim()))].filter((v) => v !== '');
  return { dn: entry.dn, uid, mails };
}
