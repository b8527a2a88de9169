// Run metrics for Prometheus (DESIGN.md "Operations"): one set of gauges describing the latest run,
// written to a node_exporter textfile and/or pushed to a Pushgateway. Publishing never fails a run.
import { Gauge, Registry } from 'prom-client';
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
  breakerTripped: boolean;
  /** Null when the run stopped before planning. */
  actions: readonly Action[] | null;
  /** In-scope members by effective access after the run (the seats); null when unknown. */
  seatsByRole: Record<string, number> | null;
  /** Roles that always get a `gbsync_members` series (zero when nobody holds them). */
  roles?: readonly string[];
  /** Entries read per source. */
  sourceEntries: Partial<Record<MetricsSource, number>>;
  /** One per request or operation; status such as "200", "429", "network-error", "ok", "error". */
  requests: readonly { target: MetricsSource; status: string }[];
}

export interface MetricsConfig {
  textfile?: string;
  pushgatewayUrl?: string;
}

export async function renderMetrics(
  input: RunMetricsInput,
  previous: { lastSuccessSeconds?: number } = {},
): Promise<string> {
  // A fresh registry each time: no process metrics, nothing left over from an earlier render.
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

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
    'Actions of the latest run by kind (revoke, downgrade, upgrade, grant, noop, skip, pending) and ' +
      'result (planned = not written, applied, failed).',
    ['kind', 'result'],
  );
  for (const [[kind, result], count] of tallyActions(input.actions ?? [])) {
    actions.set({ kind, result }, count);
  }

  const members = gauge(
    'gbsync_members',
    'In-scope members by effective access in the managed project after the latest run (the seats).',
    ['role'],
  );
  // Zero series for known roles: the Pushgateway keeps a series that a push leaves out.
  if (input.seatsByRole) {
    const roles = new Set([...(input.roles ?? []), ...Object.keys(input.seatsByRole)]);
    for (const role of [...roles].sort()) members.set({ role }, input.seatsByRole[role] ?? 0);
  }

  // Only a run that planned knows who is pending; otherwise the gauge is left out.
  if (input.actions) {
    gauge(
      'gbsync_pending',
      'Entitled people not yet granted: no GrowthBook member yet (created at first SSO login) or held ' +
        'back by the seat limit.',
    ).set(input.actions.filter((a) => a.kind === 'pending').length);
  }

  const skipped = gauge(
    'gbsync_skipped',
    'Members the latest run left alone on purpose, by reason (outside-email-domains, protected-email, ' +
      'global-admin, managed-by-idp, ambiguous-identity).',
    ['reason'],
  );
  if (input.actions) {
    const skipReasons = tally(input.actions.filter((a) => a.kind === 'skip').map((a) => a.reason));
    for (const reason of SKIP_REASONS) skipReasons.set(reason, skipReasons.get(reason) ?? 0);
    for (const [reason, count] of sortedEntries(skipReasons)) skipped.set({ reason }, count);
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

  gauge(
    'gbsync_circuit_breaker_tripped',
    '1 when the latest run planned more revokes or downgrades than the threshold allows and wrote nothing.',
  ).set(input.breakerTripped ? 1 : 0);

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
  if (pushgatewayUrl) tasks.push(publishPush(input, pushgatewayUrl, logger, pushOptions));
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

function tallyActions(actions: readonly Action[]): [[ActionKind, ActionResult], number][] {
  const counts = new Map<string, number>();
  // Zero series for the change kinds, so dashboards show 0 rather than nothing on a quiet run.
  for (const kind of CHANGE_KINDS) counts.set(`${kind}/planned`, 0);
  for (const action of actions) {
    const key = `${action.kind}/${action.result}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: [[ActionKind, ActionResult], number][] = [];
  for (const kind of ACTION_KINDS) {
    for (const result of ACTION_RESULTS) {
      const count = counts.get(`${kind}/${result}`);
      if (count !== undefined) out.push([[kind, result], count]);
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
