// Collect: read every source, in parallel and read-only. Any failure stops the run before planning;
// an unreadable source is never treated as empty.
import { policyLdapGroups, policyPosixGroups } from '../core/identity.js';
import type { Directory, IgnoredMember, ManagedProject, Member, PosixGroups } from '../core/model.js';
import { DeadlineError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import type { GrowthBookSource } from './growthbook-source.js';
import type { LdapSource } from './ldap/ldap-source.js';
import type { PosixSource } from './posix/posix-source.js';

/** The sources of one run, each already wrapped by `observeSource`. */
export interface SourceSet {
  growthbook: GrowthBookSource;
  ldap: LdapSource;
  posix: PosixSource;
}

export interface Collected {
  /** Every managed project, as GrowthBook names it, in configuration order. */
  projects: { id: string; name: string }[];
  members: Member[];
  directory: Directory;
  posix: PosixGroups;
  posixOrigin: string;
}

/**
 * What each source is asked for: every managed project, every group any policy names, and the people
 * the members name. Each source is read once for all managed projects.
 */
export const queriesOf = (projects: readonly ManagedProject[]) => {
  const policies = projects.map((p) => p.policy);
  return {
    growthbook: { projects: projects.map((p) => p.id) },
    posix: { groups: policyPosixGroups(policies) },
    ldap: (members: readonly Member[]) => ({
      groupNames: policyLdapGroups(policies),
      mails: members.map((m) => m.email),
    }),
  };
};

export async function collectSources(
  sources: SourceSet,
  projects: readonly ManagedProject[],
  logger: Logger,
): Promise<Collected> {
  const started = Date.now();
  const queries = queriesOf(projects);
  const growthbook = sources.growthbook.read(queries.growthbook);
  const posix = sources.posix.read(queries.posix);
  // The directory needs the members' e-mails to look up the people they name.
  const directory = growthbook.then(
    (read) => sources.ldap.read(queries.ldap(read.members)),
    () => null,
  );

  const [g, x, d] = await Promise.allSettled([growthbook, posix, directory]);
  if (g.status === 'fulfilled' && x.status === 'fulfilled' && d.status === 'fulfilled' && d.value) {
    const collected: Collected = {
      projects: g.value.projects,
      members: g.value.members,
      directory: d.value,
      posix: x.value.groups,
      posixOrigin: x.value.origin,
    };
    warnIgnoredMembers(logger, collected.directory.ignoredMembers);
    logger.info(
      {
        ms: Date.now() - started,
        members: collected.members.length,
        ldap_groups: collected.directory.groups.length,
        ldap_people: collected.directory.people.length,
        posix_groups: Object.keys(collected.posix.groups).length,
      },
      'sources collected',
    );
    return collected;
  }
  const failures = [g, x, d]
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason);
  for (const extra of failures.slice(1)) logger.error({ err: String(extra) }, 'another source also failed');
  // A deadline reached while collecting outranks the source errors it caused.
  throw failures.find((f) => f instanceof DeadlineError) ?? failures[0];
}

/** How many ignored members one warning names; the count and the per-reason tally cover the rest. */
export const IGNORED_MEMBERS_LISTED = 20;

/** One warning per run for every group member that is not a person (they grant nothing). */
export function warnIgnoredMembers(logger: Logger, ignored: readonly IgnoredMember[]): void {
  if (ignored.length === 0) return;
  const byReason: Record<string, number> = {};
  for (const m of ignored) byReason[m.reason] = (byReason[m.reason] ?? 0) + 1;
  logger.warn(
    {
      ignored_members: ignored
        .slice(0, IGNORED_MEMBERS_LISTED)
        .map((m) => `${m.group}: ${m.dn} (${m.reason})`),
      ignored_count: ignored.length,
      ignored_not_listed: Math.max(0, ignored.length - IGNORED_MEMBERS_LISTED),
      ignored_by_reason: byReason,
    },
    'LDAP group members that are not people were ignored: they grant nothing',
  );
}
