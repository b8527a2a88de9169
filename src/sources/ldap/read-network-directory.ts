// The reads against a directory server, few and complete: one search for the configured groups, then
// the GrowthBook members' mails and the group members not found that way, in batched OR filters.
// The number of operations grows with groups and batches, never with people. Several searches are
// in flight at once (the server answers them in parallel while this side decodes the last answer);
// the group search and the mail searches do not depend on each other and start together. The rules
// about what the entries mean are buildDirectory's, shared with the LDIF source.
import type { Entry, Filter } from 'ldapts';
import { isDnUnder, normalizeDn } from '../../core/dn.js';
import type { Directory } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';
import { decodeStrictUtf8 } from '../decode-strict.js';
import { buildDirectory, type DirectoryEntry } from './build-directory.js';
import type { DirectoryReadRequest } from './directory-source.js';
import type { LdapSearch } from './ldap-session.js';
import { anyOf, chunk, groupsFilter, mailTerm, rdnTerm } from './search-filters.js';

export interface NetworkReadSettings {
  peopleBase: string;
  groupBase: string;
  /** Terms OR-ed into one people search. */
  batchSize: number;
  /** Searches in flight at once (`search` must be able to run that many). */
  concurrency: number;
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

/**
 * Runs `work` on every item with at most `limit` running at once; results in item order. After a
 * failure nothing new starts, and the first error is thrown once the running ones have settled.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
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
  search: (request: LdapSearch) => Promise<Entry[]>,
  request: DirectoryReadRequest,
  settings: NetworkReadSettings,
): Promise<Directory> {
  const { peopleBase, groupBase, batchSize, concurrency, origin, strictMembers = false } = settings;
  const groupNames = uniqueBy(request.groupNames, (n) => n.toLowerCase());

  const readGroups = async (): Promise<Entry[]> =>
    groupNames.length === 0
      ? []
      : search({
          what: `read groups ${groupNames.join(', ')} under ${groupBase}`,
          base: groupBase,
          scope: 'one',
          filter: groupsFilter(groupNames),
          attributes: GROUP_ATTRIBUTES,
        });

  const searchPeople = async (label: string, batches: Filter[][]): Promise<Entry[]> => {
    const found = await mapConcurrently(batches, concurrency, (batch, index) => {
      settings.onBatch?.(label, index + 1, batches.length);
      return search({
        what: `search people by ${label} (batch ${index + 1} of ${batches.length}) under ${peopleBase}`,
        base: peopleBase,
        scope: 'sub',
        filter: anyOf(batch),
        attributes: PERSON_ATTRIBUTES,
      });
    });
    return found.flat();
  };

  // Every mail, even of people the groups already name: a second person with the same mail makes
  // the identity ambiguous, and only a search by mail finds them.
  const mails = uniqueBy(
    request.mails.map((m) => m.trim()).filter((m) => m !== ''),
    (m) => m.toLowerCase(),
  );
  // Both at once; wait for both, so that nothing is left running, then report the first failure.
  let failure: { error: unknown } | undefined;
  const settle = <T>(read: Promise<T>) =>
    read.catch((error: unknown) => {
      failure ??= { error };
      return [] as Entry[];
    });
  const [groups, people] = await Promise.all([
    settle(readGroups()),
    settle(searchPeople('mail', chunk(mails.map(mailTerm), batchSize))),
  ]);
  if (failure !== undefined) throw failure.error;

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
  for (const entry of await searchPeople('group member DN', chunk(terms, batchSize))) people.push(entry);

  const entries = uniqueBy([...groups, ...people], (e) => normalizeDn(e.dn)).map((e) =>
    toDirectoryEntry(e, origin),
  );
  return buildDirectory(
    entries,
    { peopleBase, groupBase, groupNames: request.groupNames, strictMembers },
    origin,
  );
}
