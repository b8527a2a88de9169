import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/observe/metrics.js';
import { pushGroupingOf } from '../../src/reconcile/run-metrics.js';
import { FINISHED_MS, parseMeta, parseSamples, realisticInput } from './helpers.js';

const REQUIRED = [
  'gbsync_last_run_timestamp_seconds',
  'gbsync_last_success_timestamp_seconds',
  'gbsync_run_duration_seconds',
  'gbsync_exit_code',
  'gbsync_actions',
  'gbsync_blocked_writes',
  'gbsync_members',
  'gbsync_seats',
  'gbsync_pending',
  'gbsync_skipped',
  'gbsync_source_entries',
  'gbsync_requests',
  'gbsync_circuit_breaker_tripped',
  'gbsync_ignored_members',
  'gbsync_build_info',
];

describe('renderMetrics', () => {
  it('renders every series of a realistic apply run, and nothing else', async () => {
    const text = await renderMetrics(realisticInput(), { lastSuccessSeconds: 1_699_999_000 });
    expect(Object.fromEntries(parseSamples(text))).toEqual({
      'gbsync_build_info{version="1.2.3"}': 1,
      gbsync_last_run_timestamp_seconds: 1_700_000_012.5,
      gbsync_last_success_timestamp_seconds: 1_699_999_000,
      gbsync_run_duration_seconds: 12.5,
      gbsync_exit_code: 5,
      'gbsync_actions{project="prj_w",kind="revoke",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="revoke",result="applied"}': 2,
      'gbsync_actions{project="prj_w",kind="downgrade",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="upgrade",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="grant",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="grant",result="failed"}': 1,
      'gbsync_actions{project="prj_w",kind="noop",result="planned"}': 2,
      'gbsync_actions{project="prj_w",kind="skip",result="planned"}': 3,
      'gbsync_actions{project="prj_w",kind="pending",result="planned"}': 1,
      'gbsync_blocked_writes{project="prj_w",kind="revoke",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="downgrade",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="upgrade",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="grant",blocked_by_project="",role=""}': 0,
      'gbsync_members{project="prj_w",role="CustomElevatedAccess"}': 3,
      'gbsync_members{project="prj_w",role="admin"}': 2,
      'gbsync_members{project="prj_w",role="readonly"}': 5,
      gbsync_seats: 10,
      'gbsync_pending{project="prj_w"}': 1,
      'gbsync_skipped{project="prj_w",reason="ambiguous-identity"}': 0,
      'gbsync_skipped{project="prj_w",reason="global-admin"}': 1,
      'gbsync_skipped{project="prj_w",reason="managed-by-idp"}': 0,
      'gbsync_skipped{project="prj_w",reason="outside-email-domains"}': 2,
      'gbsync_skipped{project="prj_w",reason="protected-email"}': 0,
      'gbsync_source_entries{source="ldap"}': 42,
      'gbsync_source_entries{source="posix"}': 17,
      'gbsync_source_entries{source="growthbook"}': 12,
      'gbsync_requests{target="growthbook",status="200"}': 3,
      'gbsync_requests{target="growthbook",status="429"}': 1,
      'gbsync_requests{target="growthbook",status="500"}': 1,
      'gbsync_requests{target="ldap",status="ok"}': 2,
      'gbsync_requests{target="posix",status="200"}': 1,
      // Every reason has a series, zero included.
      'gbsync_ignored_members{reason="outside-people-base"}': 2,
      'gbsync_ignored_members{reason="no-entry"}': 1,
      'gbsync_ignored_members{reason="no-uid"}': 0,
      'gbsync_circuit_breaker_tripped{project="prj_w"}': 0,
    });
  });

  it('gives every metric a HELP line and declares it a gauge', async () => {
    const meta = parseMeta(await renderMetrics(realisticInput({ succeeded: true, exitCode: 0 })));
    expect([...meta.keys()].sort()).toEqual([...REQUIRED].sort());
    for (const name of REQUIRED) {
      expect(meta.get(name)?.type, name).toBe('gauge');
      expect(meta.get(name)?.help?.length ?? 0, name).toBeGreaterThan(20);
    }
  });

  it('records this run as the last success when it succeeded', async () => {
    const text = await renderMetrics(realisticInput({ succeeded: true, exitCode: 0 }), {
      lastSuccessSeconds: 1_600_000_000,
    });
    expect(parseSamples(text).get('gbsync_last_success_timestamp_seconds')).toBe(FINISHED_MS / 1000);
  });

  it('leaves the last success out after a failure with no earlier value', async () => {
    const text = await renderMetrics(realisticInput());
    expect(text).not.toContain('gbsync_last_success_timestamp_seconds');
    expect(parseSamples(text).get('gbsync_exit_code')).toBe(5);
  });

  it('reports a tripped breaker with every change still planned', async () => {
    const text = await renderMetrics(
      realisticInput({
        exitCode: 2,
        breakerTripped: ['prj_w'],
        actions: realisticInput().actions?.map((a) => ({ ...a, result: 'planned' as const })) ?? null,
      }),
    );
    const samples = parseSamples(text);
    expect(samples.get('gbsync_circuit_breaker_tripped{project="prj_w"}')).toBe(1);
    expect(samples.get('gbsync_actions{project="prj_w",kind="revoke",result="planned"}')).toBe(2);
    expect(samples.get('gbsync_actions{project="prj_w",kind="grant",result="planned"}')).toBe(1);
    expect(samples.has('gbsync_actions{project="prj_w",kind="revoke",result="applied"}')).toBe(false);
  });

  it('after a source error (no plan) keeps zero change series and leaves unknowns out', async () => {
    const text = await renderMetrics(
      realisticInput({
        exitCode: 4,
        actions: null,
        seatsByProject: null,
        seatHolders: null,
        sourceEntries: { ldap: 42 },
        requests: [{ target: 'posix', status: 'network-error' }],
        ignoredMembers: null,
      }),
    );
    expect(Object.fromEntries(parseSamples(text))).toEqual({
      'gbsync_build_info{version="1.2.3"}': 1,
      gbsync_last_run_timestamp_seconds: 1_700_000_012.5,
      gbsync_run_duration_seconds: 12.5,
      gbsync_exit_code: 4,
      'gbsync_actions{project="prj_w",kind="revoke",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="downgrade",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="upgrade",result="planned"}': 0,
      'gbsync_actions{project="prj_w",kind="grant",result="planned"}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="revoke",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="downgrade",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="upgrade",blocked_by_project="",role=""}': 0,
      'gbsync_blocked_writes{project="prj_w",kind="grant",blocked_by_project="",role=""}': 0,
      'gbsync_source_entries{source="ldap"}': 42,
      'gbsync_requests{target="posix",status="network-error"}': 1,
      'gbsync_circuit_breaker_tripped{project="prj_w"}': 0,
    });
  });

  it('uses a fresh registry: no process metrics, nothing carried between renders', async () => {
    await renderMetrics(realisticInput({ seatsByProject: { prj_w: { engineer: 9 } } }));
    const text = await renderMetrics(realisticInput());
    expect(text).not.toMatch(/^process_|^nodejs_/m);
    expect(text).not.toContain('engineer');
  });

  it('escapes label values it does not control', async () => {
    const text = await renderMetrics(realisticInput({ seatsByProject: { prj_w: { 'odd"role\\x': 1 } } }));
    expect(parseSamples(text).get('gbsync_members{project="prj_w",role="odd\\"role\\\\x"}')).toBe(1);
  });

  it('labels every member series with its managed project; the breaker says which project tripped', async () => {
    const two = realisticInput({
      projects: [
        { id: 'prj_w', roles: ['readonly'] },
        { id: 'prj_de', roles: ['readonly', 'admin'] },
      ],
      breakerTripped: ['prj_de'],
      actions: [
        ...(realisticInput().actions ?? []),
        {
          ...(realisticInput().actions?.[0] as NonNullable<
            ReturnType<typeof realisticInput>['actions']
          >[number]),
          project: 'prj_de',
        },
      ],
      seatsByProject: { prj_w: { readonly: 5 }, prj_de: { admin: 1 } },
    });
    const samples = parseSamples(await renderMetrics(two));
    expect(samples.get('gbsync_actions{project="prj_de",kind="revoke",result="applied"}')).toBe(1);
    expect(samples.get('gbsync_actions{project="prj_w",kind="revoke",result="applied"}')).toBe(2);
    expect(samples.get('gbsync_actions{project="prj_de",kind="grant",result="planned"}')).toBe(0);
    expect(samples.get('gbsync_members{project="prj_de",role="readonly"}')).toBe(0);
    expect(samples.get('gbsync_members{project="prj_de",role="admin"}')).toBe(1);
    expect(samples.get('gbsync_pending{project="prj_de"}')).toBe(0);
    expect(samples.get('gbsync_skipped{project="prj_de",reason="global-admin"}')).toBe(0);
    expect(samples.get('gbsync_circuit_breaker_tripped{project="prj_de"}')).toBe(1);
    expect(samples.get('gbsync_circuit_breaker_tripped{project="prj_w"}')).toBe(0);
  });
});

describe('Pushgateway grouping', () => {
  it('names no label a series carries: the gateway would overwrite it and fold the projects together', async () => {
    const text = await renderMetrics(
      realisticInput({
        projects: [{ id: 'prj_w' }, { id: 'prj_de' }],
        actions: [...(realisticInput().actions ?? []).map((a) => ({ ...a, project: 'prj_de' }))],
      }),
    );
    const seriesLabels = new Set(
      [...parseSamples(text).keys()].flatMap((series) =>
        [...series.matchAll(/[{,]([a-zA-Z_]\w*)="/g)].map((m) => m[1] as string),
      ),
    );
    expect(seriesLabels.has('project')).toBe(true);
    const grouping = pushGroupingOf(['prj_w', 'prj_de'], 'dry-run');
    expect(grouping).toEqual([
      ['projects', 'prj_w,prj_de'],
      ['instance', 'dry-run'],
    ]);
    for (const [name] of grouping) expect(seriesLabels.has(name), name).toBe(false);
  });
});
