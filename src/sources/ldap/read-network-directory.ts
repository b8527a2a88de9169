// The reads against a directory server, few and complete: one search for the configured groups, then
// the GrowthBook members' mails and the group members not found that way, in batched OR filters.
// The number of operations grows with groups and batches, never with people. The rules about what
// the entries mean are buildDirectory's, shared with the LDIF source.
import type { Entry } from 'ldapts';
import { isDnUnder, normalizeDn } from '../../core/dn.js';
import type { Directory } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';
import { decodeStrictUtf8 } from '../decode-strict.js';
import { buildDirectory, type DirectoryEntry } from './build-directory.js';
import type { DirectoryReadRequest } from './directory-source.js';
import type { LdapSession } from './ldap-session.js';
import { anyOf, chunk, groupsFilter, mailTerm, rdnTerm } from './search-filters.js';

export interface NetworkReadSettings {
  peopleBase: string;
  groupBase: string;
  /** Terms OR-ed into one people search. */
  batchSize: number;
  /** Names the server in errors. */
  origin: string;
  /** ldap.strictMembers: a member that is not a person is a source error. */
  strictMembers?: boolean;
  /** Told before each people search (a progress display on a terminal). */
  onBatch?: (label: string, index: number, count: number) => void;
}

const PERSON_ATTRIBUTES = ['uid', 'mail'];
const GROUP_ATTRIBUTES = ['objectClass', 'cn', 'member'];

function toDirectoryEntry(entry: Entry, origin: string): DirectoryEntry {
  const attributes = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((value) => {
      if (typeof value === 'string') return value;
      const text = decodeStrictUtf8(value);
      if (text === null) {
        throw new SourceReadError('ldap', `${origin}: ${entry.dn}: attribute ${name} is not UTF-8 text`);
      }
      return text;
    });
    const key = name.toLowerCase();
    attributes.set(key, [...(attributes.get(key) ?? []), ...values]);
  }
  return { dn: entry.dn, attributes };
}

/** Unique by a key, first one kept, order kept. */
function uniqueBy<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}

export async function readNetworkDirectory(
  session: LdapSession,
  request: DirectoryReadRequest,
  settings: NetworkReadSettings,
): Promise<Directory> {
  const { peopleBase, groupBase, batchSize, origin, strictMembers = false } = settings;
  const groupNames = uniqueBy(request.groupNames, (n) => n.toLowerCase());

  const groups =
    groupNames.length === 0
      ? []
      : await session.search({
          what: `read groups ${groupNames.join(', ')} under ${groupBase}`,
          base: groupBase,
          scope: 'one',
          filter: groupsFilter(groupNames),
          attributes: GROUP_ATTRIBUTES,
        });

  const people: Entry[] = [];
  const searchPeople = async (label: string, batches: ReturnType<typeof anyOf>[][]) => {
    for (const [index, batch] of batches.entries()) {
      settings.onBatch?.(label, index + 1, batches.length);
      people.push(
        ...(await session.search({
          what: `search people by ${label} (batch ${index + 1} of ${batches.length}) under ${peopleBase}`,
          base: peopleBase,
          scope: 'sub',
          filter: anyOf(batch),
          attributes: PERSON_ATTRIBUTES,
        })),
      );
    }
  };

  // Every mail, even of people the groups already name: a second person with the same mail makes
  // the identity ambiguous, and only a search by mail finds them.
  const mails = uniqueBy(
    request.mails.map((m) => m.trim()).filter((m) => m !== ''),
    (m) => m.toLowerCase(),
  );
  await searchPeople('mail', chunk(mails.map(mailTerm), batchSize));

  // Group members the mail searches did not bring, looked up by their RDN. Members outside
  // peopleBase are left to buildDirectory, which lists them as ignored.
  const found = new Set(people.map((p) => normalizeDn(p.dn)));
  const missing = uniqueBy(
    groups
      .flatMap((g) => toDirectoryEntry(g, origin).attributes.get('member') ?? [])
      .filter((dn) => dn.trim() !== '' && isDnUnder(dn, peopleBase) && !found.has(normalizeDn(dn))),
    normalizeDn,
  );
  const terms = missing.map(rdnTerm).filter((t) => t !== null);
  await searchPeople('group member DN', chunk(terms, batchSize));

  const entries = uniqueBy([...groups, ...people], (e) => normalizeDn(e.dn)).map((e) =>
    toDirectoryEntry(e, origin),
  );
  return buildDirectory(
    entries,
    { peopleBase, groupBase, groupNames: request.groupNames, strictMembers },
    origin,
  );
}
