// Turns one run into its metrics and publishes them (textfile and/or Pushgateway). The metrics code
// (and prom-client) is loaded only when metrics are configured.
import type { IgnoredMember, IgnoredMemberReason } from '../core/model.js';
import { ExitCode } from '../errors.js';
import type { RunMetricsInput } from '../observe/metrics.js';
import type { RunContext } from './context.js';
import type { RunResult } from './run-sync.js';

export function metricsInputOf(
  ctx: RunContext,
  startedAtMs: number,
  exitCode: ExitCode,
  result: RunResult | undefined,
): RunMetricsInput {
  const collected = result?.collected;
  const actions = result && !result.report.refused ? result.report.actions : null;
  return {
    startedAtMs,
    finishedAtMs: Date.now(),
    exitCode,
    succeeded: exitCode === ExitCode.Ok,
    projects: ctx.projects.map((p) => ({ id: p.id, roles: p.policy.rank.filter((r) => r !== 'noaccess') })),
    breakerTripped:
      result && !result.report.refused
        ? result.report.projects.filter((p) => p.safety.tripped).map((p) => p.id)
        : [],
    actions,
    seatsByProject: result?.seats ?? null,
    seatHolders: result?.seatHolders ?? null,
    sourceEntries: collected
      ? {
          ldap: collected.directory.people.length + collected.directory.groups.length,
          posix: Object.keys(collected.posix.groups).length,
          growthbook: collected.members.length,
        }
      : {},
    requests: ctx.requests,
    ignoredMembers: collected ? tallyReasons(collected.directory.ignoredMembers) : null,
  };
}

/**
 * The Pushgateway grouping key after `job`: the managed projects name the deployment (their ids
 * joined by commas), then `metrics.instance`. The label is `projects`, not `project`: the Pushgateway
 * overwrites a pushed series' label of the same name with the grouping value, which would fold the
 * per-project series of a several-project run into one.
 */
export function pushGroupingOf(projects: readonly string[], instance?: string): [string, string][] {
  const grouping: [string, string][] = [['projects', projects.join(',')]];
  if (instance) grouping.push(['instance', instance]);
  return grouping;
}

export async function publishRunMetrics(
  ctx: RunContext,
  startedAtMs: number,
  exitCode: ExitCode,
  result?: RunResult,
): Promise<void> {
  const { textfile, pushgatewayUrl, instance } = ctx.config.metrics;
  if (!textfile && !pushgatewayUrl) return;
  const grouping = pushGroupingOf(
    ctx.projects.map((p) => p.id),
    instance,
  );
  const { publishMetrics } = await import('../observe/metrics.js');
  await publishMetrics(
    metricsInputOf(ctx, startedAtMs, exitCode, result),
    { ...(textfile ? { textfile } : {}), ...(pushgatewayUrl ? { pushgatewayUrl } : {}), grouping },
    ctx.logger,
  );
}

function tallyReasons(ignored: readonly IgnoredMember[]): Partial<Record<IgnoredMemberReason, number>> {
  const counts: Partial<Record<IgnoredMemberReason, number>> = {};
  for (const m of ignored) counts[m.reason] = (counts[m.reason] ?? 0) + 1;
  return counts;
}
