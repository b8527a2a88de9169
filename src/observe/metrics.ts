// Run metrics for Prometheus (docs/design.md "Operations"): one set of gauges describing the latest run,
// written to a node_exporter textfile and/or pushed to a Pushgateway. Publishing never fails a run.
import { Gauge, Registry } from 'prom-client';
import { IGNORED_MEMBER_REASONS, type IgnoredMemberReason } from '../core/model.js';
import {
  ACTION_KINDS,
  ACTION_RESULTS,
  type Action,
  type ActionKind,
  type ActionResult,
  CHANGE_KINDS,
  SKIP_REASONS,
  SOURCE_NAMES,
  type SourceName,
} from '../core/plan.js';
import { messageOf } from '../util/message-of.js';
import { VERSION } from '../version.js';
import type { Logger } from './logger.js';
import { type PushOptions, pushMetrics } from './metrics-push.js';
import { readLastSuccess, writeMetricsTextfile } from './metrics-textfile.js';

export { PUSH_CONTENT_TYPE, PUSH_JOB, type PushOptions, pushMetrics } from './metrics-push.js';
export { LAST_SUCCESS_METRIC, readLastSuccess, writeMetricsTextfile } from './metrics-textfile.js';

export type MetricsSource = SourceName;

export interface RunMetricsInput {
  startedAtMs: number;
  finishedAtMs: number;
  /** The process exit code of this run. */
  exitCode: number;
  /** True when the run exits 0. */
  succeeded: boolean;
  /**
   * Every managed project, and the roles that always get a `gbsync_members` series there (zero when
   * nobody holds them). Each series about members carries the `project` label.
   */
  projects: readonly { id: string; roles?: readonly string[] }[];
  /** The projects whose breaker stopped the run. */
  breakerTripped: readonly string[];
  /** Null when the run stopped before planning. */
  actions: readonly Action[] | null;
  /** Per project, in-scope members by effective access after the run (the seats); null when unknown. */
  seatsByProject: Record<string, Record<string, number>> | null;
  /** Members with access in any managed project after the run (one seat each); null when unknown. */
  seatHolders?: number | null;
  /** Entries read per source. */
  sourceEntries: Partial<Record<MetricsSource, number>>;
  /** One per request or operation; status such as "200", "429", "network-error", "ok", "error". */
  requests: readonly { target: MetricsSource; status: string }[];
  /** The release that ran; this package's version unless given. */
  version?: string;
  /** LDAP group members that are not people, by reason; null when the directory was not read. */
  ignoredMembers?: Partial<Record<IgnoredMemberReason, number>> | null;
}

export interface MetricsConfig {
  textfile?: string;
  pushgatewayUrl?: string;
  /** The Pushgateway grouping key after `job`: the managed project, then metrics.instance if set. */
  grouping?: readonly (readonly [string, string])[];
}

export async function renderMetrics(
  input: RunMetricsInput,
  previous: { lastSuccessSeconds?: number } = {},
): Promise<string> {
  // A fresh registry each time: no process metrics, nothing left over from an earlier render.
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  gauge('gbsync_build_info', 'Always 1; the version label says which release ran.', ['version']).set(
    { version: input.version ?? VERSION },
    1,
  );
  gauge('gbsync_last_run_timestamp_seconds', 'Unix time at which the latest sync run finished.').set(
    input.finishedAtMs / 1000,
  );
  const lastSuccess = input.succeeded ? input.finishedAtMs / 1000 : previous.lastSuccessSeconds;
  // Unknown (failed run, no earlier value) is left out rather than reported as 0 (the epoch).
  if (lastSuccess !== undefined) {
    gauge(
      'gbsync_last_success_timestamp_seconds',
      'Unix time at which the latest successful (exit 0) run finished; alert when it grows old.',
    ).set(lastSuccess);
  }
  gauge('gbsync_run_duration_seconds', 'Wall-clock duration of the latest run, in seconds.').set(
    Math.max(0, input.finishedAtMs - input.startedAtMs) / 1000,
  );
  gauge(
    'gbsync_exit_code',
    'Exit code of the latest run: 0 done, 1 internal error, 2 circuit breaker tripped, 3 configuration, ' +
      '4 source unreadable, 5 apply incomplete, 6 deadline reached (7, lock held, is not published: ' +
      'the run holding the lock reports).',
  ).set(input.exitCode);

  const actions = gauge(
    'gbsync_actions',
    'Actions of the latest run by managed project, kind (revoke, downgrade, upgrade, grant, noop, skip, ' +
      'pending) and result (planned = not written, applied, failed).',
    ['project', 'kind', 'result'],
  );
  const projectIds = input.projects.map((p) => p.id);
  for (const [[project, kind, result], count] of tallyActions(projectIds, input.actions ?? [])) {
    actions.set({ project, kind, result }, count);
  }

  const blocked = gauge(
    'gbsync_blocked_writes',
    'Changes of the latest run that GrowthBook refused because a project the sync does not manage (or ' +
      'the global extra roles) of the member names a role that no longer exists; by managed project, ' +
      'change kind, and the project and role to fix. Empty blocked_by_project and role: nothing blocked.',
    ['project', 'kind', 'blocked_by_project', 'role'],
  );
  const blockedSeries = tallyBlocked(input.actions ?? []);
  // Always present, so a push replaces the series of a problem that has since been fixed.
  if (blockedSeries.length === 0) {
    for (const project of projectIds) {
      for (const kind of CHANGE_KINDS) blocked.set({ project, kind, blocked_by_project: '', role: '' }, 0);
    }
  }
  for (const [labels, count] of blockedSeries) blocked.set(labels, count);

  const members = gauge(
    'gbsync_members',
    'In-scope members by managed project and effective access there after the latest run (the seats).',
    ['project', 'role'],
  );
  // Zero series for known roles: the Pushgateway keeps a series that a push leaves out.
  if (input.seatsByProject) {
    for (const { id, roles = [] } of input.projects) {
      const seats = input.seatsByProject[id] ?? {};
      const all = new Set([...roles, ...Object.keys(seats)]);
      for (const role of [...all].sort()) members.set({ project: id, role }, seats[role] ?? 0);
    }
  }

  if (input.seatHolders !== undefined && input.seatHolders !== null) {
    gauge(
      'gbsync_seats',
      'In-scope members with access in at least one managed project after the latest run: the seats ' +
        'counted against growthbook.maxSeats (a member with access in several projects holds one).',
    ).set(input.seatHolders);
  }

  // Only a run that planned knows who is pending; otherwise the gauge is left out.
  if (input.actions) {
    const pending = gauge(
      'gbsync_pending',
      'Entitled people not yet granted in a managed project: no GrowthBook member yet (created at first ' +
        'SSO login) or held back by the seat limit.',
      ['project'],
    );
    for (const project of projectIds) {
      pending.set(
        { project },
        input.actions.filter((a) => a.kind === 'pending' && a.project === project).length,
      );
    }
  }

  const skipped = gauge(
    'gbsync_skipped',
    'Members the latest run left alone on purpose, by managed project and reason (outside-email-domains, ' +
      'protected-email, global-admin, managed-by-idp, ambiguous-identity).',
    ['project', 'reason'],
  );
  if (input.actions) {
    for (const project of projectIds) {
      const skips = input.actions.filter((a) => a.kind === 'skip' && a.project === project);
      const skipReasons = tally(skips.map((a) => a.reason));
      for (const reason of SKIP_REASONS) skipReasons.set(reason, skipReasons.get(reason) ?? 0);
      for (const [reason, count] of sortedEntries(skipReasons)) skipped.set({ project, reason }, count);
    }
  }

  const entries = gauge(
    'gbsync_source_entries',
    'Entries the latest run read from each source of truth (LDAP, data.yaml, GrowthBook members); a ' +
      'sudden drop points at a source problem.',
    ['source'],
  );
  for (const source of SOURCE_NAMES) {
    const count = input.sourceEntries[source];
    if (count !== undefined) entries.set({ source }, count);
  }

  const requests = gauge(
    'gbsync_requests',
    'Requests or operations the latest run made, by target system and outcome (HTTP status, ok, error, ' +
      'network-error).',
    ['target', 'status'],
  );
  const byRequest = tally(input.requests.map((r) => `${r.target}\u0000${r.status}`));
  for (const [key, count] of sortedEntries(byRequest)) {
    const [target = '', status = ''] = key.split('\u0000');
    requests.set({ target, status }, count);
  }

  const ignored = gauge(
    'gbsync_ignored_members',
    'LDAP group member values that name no person and grant nothing, by reason (outside-people-base, ' +
      'no-entry: a DN left behind, no-uid).',
    ['reason'],
  );
  // Every reason has a series once the directory was read, so a dashboard shows 0 rather than nothing.
  if (input.ignoredMembers) {
    for (const reason of IGNORED_MEMBER_REASONS) ignored.set({ reason }, input.ignoredMembers[reason] ?? 0);
  }

  const tripped = gauge(
    'gbsync_circuit_breaker_tripped',
    '1 for a managed project where the latest run planned more revokes or downgrades than its threshold ' +
      'allows; then nothing was written in any project.',
    ['project'],
  );
  for (const project of projectIds) tripped.set({ project }, input.breakerTripped.includes(project) ? 1 : 0);

  return registry.metrics();
}

/** Writes the textfile and pushes to the Pushgateway, as configured. Logs failures; never throws. */
export async function publishMetrics(
  input: RunMetricsInput,
  config: MetricsConfig,
  logger: Logger,
  pushOptions: PushOptions = {},
): Promise<void> {
  const tasks: Promise<void>[] = [];
  const { textfile, pushgatewayUrl } = config;
  if (textfile) tasks.push(publishTextfile(input, textfile, logger));
  const grouping = config.grouping ?? pushOptions.grouping;
  if (pushgatewayUrl) {
    tasks.push(
      publishPush(input, pushgatewayUrl, logger, { ...pushOptions, ...(grouping ? { grouping } : {}) }),
    );
  }
  await Promise.all(tasks);
}

async function publishTextfile(input: RunMetricsInput, path: string, logger: Logger): Promise<void> {
  let lastSuccessSeconds: number | undefined;
  try {
    lastSuccessSeconds = await readLastSuccess(path);
  } catch (error) {
    logger.warn({ textfile: path, error: messageOf(error) }, 'metrics: previous last-success not read');
  }
  try {
    const text = await renderMetrics(input, lastSuccessSeconds === undefined ? {} : { lastSuccessSeconds });
    await writeMetricsTextfile(path, text);
    logger.debug({ textfile: path }, 'metrics textfile written');
  } catch (error) {
    logger.warn({ textfile: path, error: messageOf(error) }, 'metrics textfile not written');
  }
}

// The push leaves the last success out after a failure; POST keeps the gateway's earlier value.
async function publishPush(
  input: RunMetricsInput,
  url: string,
  logger: Logger,
  options: PushOptions,
): Promise<void> {
  try {
    await pushMetrics(url, await renderMetrics(input), options);
    logger.debug('metrics pushed');
  } catch (error) {
    // The URL may carry credentials, so only the error (which names the host) is logged.
    logger.warn({ error: messageOf(error) }, 'metrics push failed');
  }
}

type BlockedLabels = { project: string; kind: string; blocked_by_project: string; role: string };

function tallyBlocked(actions: readonly Action[]): [BlockedLabels, number][] {
  const counts = new Map<string, number>();
  for (const a of actions) {
    if (!a.blockedBy) continue;
    const key = JSON.stringify([a.project, a.kind, a.blockedBy.project, a.blockedBy.role]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => {
    const [project, kind, blocked_by_project, role] = JSON.parse(key) as [string, string, string, string];
    return [{ project, kind, blocked_by_project, role }, count];
  });
}

function tallyActions(
  projects: readonly string[],
  actions: readonly Action[],
): [[string, ActionKind, ActionResult], number][] {
  const counts = new Map<string, number>();
  const key = (project: string, kind: string, result: string) => `${project}\u0000${kind}\u0000${result}`;
  // Zero series for the change kinds, so dashboards show 0 rather than nothing on a quiet run.
  for (const project of projects)
    for (const kind of CHANGE_KINDS) counts.set(key(project, kind, 'planned'), 0);
  for (const action of actions) {
    const k = key(action.project, action.kind, action.result);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const ordered = [...new Set([...projects, ...actions.map((a) => a.project)])];
  const out: [[string, ActionKind, ActionResult], number][] = [];
  for (const project of ordered) {
    for (const kind of ACTION_KINDS) {
      for (const result of ACTION_RESULTS) {
        const count = counts.get(key(project, kind, result));
        if (count !== undefined) out.push([[project, kind, result], count]);
      }
    }
  }
  return out;
}

function tally(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function sortedEntries(counts: Map<string, number>): [string, number][] {
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
