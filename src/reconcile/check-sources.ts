// `check`: the configuration is valid (it loaded) and every source is read exactly as a plan reads
// it. Every source is tried even when another fails, so one run shows every problem.
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

export interface CheckReport {
  ok: boolean;
  project: string;
  /** GrowthBook, LDAP, data.yaml: in the order they are shown. */
  sources: SourceCheck[];
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
  const queries = queriesOf(ctx.policy, ctx.scope.project);
  const [growthbook, read] = await checkSource(sources.growthbook, queries.growthbook);
  const members: Member[] = read?.members ?? [];
  const [posix] = await checkSource(sources.posix, queries.posix);
  const [ldap] = await checkSource(sources.ldap, queries.ldap(members));
  const checks = [growthbook, ldap, posix];
  return { ok: checks.every((c) => c.ok), project: ctx.config.growthbook.project, sources: checks };
}
