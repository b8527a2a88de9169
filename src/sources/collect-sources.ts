// Collect: read every source, in parallel and read-only. Any failure stops the run before planning;
// an unreadable source is never treated as empty.
import { policyLdapGroups, policyPosixGroups } from '../core/identity.js';
import type { Directory, Member, Policy, PosixGroups } from '../core/model.js';
import { DeadlineError, SourceReadError, SyncError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import type { DirectorySource } from './ldap/directory-source.js';
import { requirePosixGroups } from './posix/parse-data-yaml.js';

/** The GrowthBook reads the pipeline needs. */
export interface GrowthBookReader {
  listMembers(filter?: { userEmail?: string }): Promise<Member[]>;
  getProject(id: string): Promise<{ id: string; name: string }>;
}

export interface SourceSet {
  growthbook: GrowthBookReader;
  directory: DirectorySource;
  readPosix: () => Promise<{ groups: PosixGroups; origin: string }>;
}

export interface Collected {
  project: { id: string; name: string };
  members: Member[];
  directory: Directory;
  posix: PosixGroups;
  posixOrigin: string;
}

/** Wraps a client failure into the source failure class, keeping deadline and typed errors as they are. */
function asSourceError(source: 'growthbook' | 'ldap' | 'posix', error: unknown): Error {
  if (error instanceof SyncError) return error;
  if (error instanceof Error) return new SourceReadError(source, error.message, { cause: error });
  return new SourceReadError(source, String(error));
}

export async function collectSources(
  sources: SourceSet,
  policy: Policy,
  projectId: string,
  logger: Logger,
): Promise<Collected> {
  const started = Date.now();
  const project = sources.growthbook.getProject(projectId).catch((e) => {
    throw asSourceError('growthbook', e);
  });
  const members = sources.growthbook.listMembers().catch((e) => {
    throw asSourceError('growthbook', e);
  });
  const posix = sources.readPosix().catch((e) => {
    throw asSourceError('posix', e);
  });
  // The directory needs the members' e-mails to look up the people they name.
  const directory = members.then(
    (list) =>
      sources.directory
        .read({ groupNames: policyLdapGroups(policy), mails: list.map((m) => m.email) })
        .catch((e) => {
          throw asSourceError('ldap', e);
        }),
    () => null,
  );

  const settled = await Promise.allSettled([project, members, posix, directory]);
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason);
  if (failures.length > 0) {
    for (const extra of failures.slice(1)) logger.error({ err: String(extra) }, 'another source also failed');
    // A deadline reached while collecting outranks the source errors it caused.
    throw failures.find((f) => f instanceof DeadlineError) ?? failures[0];
  }
  const [p, m, x, d] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    { id: string; name: string },
    Member[],
    { groups: PosixGroups; origin: string },
    Directory,
  ];
  requirePosixGroups(x.groups, policyPosixGroups(policy), x.origin);
  logger.info(
    {
      ms: Date.now() - started,
      members: m.length,
      ldap_groups: d.groups.length,
      ldap_people: d.people.length,
      posix_groups: Object.keys(x.groups.groups).length,
    },
    'sources collected',
  );
  return { project: p, members: m, directory: d, posix: x.groups, posixOrigin: x.origin };
}
