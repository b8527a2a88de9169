// `check`: the configuration is valid (it loaded) and every source is read exactly as a plan reads
// it. Every source is tried even when another fails, so one run shows every problem.
import { policyLdapGroups, policyPosixGroups } from '../core/identity.js';
import type { IgnoredMember } from '../core/model.js';
import type { Member, SourceName } from '../core/plan.js';
import { queriesOf } from '../sources/collect-sources.js';
import type { Source } from '../sources/source.js';
import { messageOf } from '../util/message-of.js';
import { type ContextRequest, loadContext } from './context.js';

export interface SourceCheck {
  source: SourceName;
  ok: boolean;
  target: string;
  found: Record<string, unknown>;
  error?: string;
}

/** One managed project's policy: every group it names, and those the sources do not have. */
export interface ProjectCheck {
  id: string;
  /** True when the project exists and every group its policy names was found. */
  ok: boolean;
  ldapGroups: string[];
  posixGroups: string[];
  /** Groups not found (`LDAP name`, `POSIX name`); empty when unknown because a source failed. */
  missing: string[];
}

export interface CheckReport {
  ok: boolean;
  /** The first managed project, for readers of the one-project form. */
  project: string;
  projects: ProjectCheck[];
  /** GrowthBook, LDAP, data.yaml: in the order they are shown. */
  sources: SourceCheck[];
  /** LDAP group members that are not people (they grant nothing); empty when LDAP was not read. */
  ignoredMembers: IgnoredMember[];
}

async function checkSource<Q, V>(source: Source<Q, V>, query: Q): Promise<[SourceCheck, V | undefined]> {
  const check: SourceCheck = { source: source.name, ok: false, target: source.target, found: {} };
  let value: V | undefined;
  try {
    value = await source.read(query);
    check.found = await source.describe(value, query);
    check.ok = true;
  } catch (error) {
    check.error = messageOf(error);
    check.found = await source.describe(undefined, query).catch(() => ({}));
  }
  return [check, check.ok ? value : undefined];
}

export async function checkSources(request: ContextRequest): Promise<CheckReport> {
  const ctx = loadContext(request);
  const { sources } = ctx;
  const queries = queriesOf(ctx.projects);
  const [growthbook, read] = await checkSource(sources.growthbook, queries.growthbook);
  const members: Member[] = read?.members ?? [];
  const [posix, posixRead] = await checkSource(sources.posix, queries.posix);
  const [ldap, directory] = await checkSource(sources.ldap, queries.ldap(members));
  const checks = [growthbook, ldap, posix];
  const ldapFound = directory?.groups.map((g) => g.name.toLowerCase());
  const posixFound = posixRead ? Object.keys(posixRead.groups.groups) : undefined;
  const projects = ctx.projects.map(({ id, policy }): ProjectCheck => {
    const ldapGroups = policyLdapGroups([policy]);
    const posixGroups = policyPosixGroups([policy]);
    const missing = [
      ...ldapGroups.filter((g) => ldapFound && !ldapFound.includes(g.toLowerCase())).map((g) => `LDAP ${g}`),
      ...posixGroups.filter((g) => posixFound && !posixFound.includes(g)).map((g) => `POSIX ${g}`),
    ];
    const exists = read?.projects.some((p) => p.id === id) === true;
    const known = ldapFound !== undefined && posixFound !== undefined;
    return { id, ok: exists && known && missing.length === 0, ldapGroups, posixGroups, missing };
  });
  return {
    ok: checks.every((c) => c.ok) && projects.every((p) => p.ok),
    project: ctx.projects[0]?.id ?? '',
    projects,
    sources: checks,
    ignoredMembers: directory?.ignoredMembers ?? [],
  };
}
