// The Airflow DAG: Airflow cannot be installed here, so the file is compiled by python3 and read with
// Python's ast (test/deploy/inspect_dag.py); its pod must match the Kubernetes CronJob's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO, runTool } from './run-tool.js';

const DAG = 'deploy/airflow/growthbook_ldap_sync_dag.py';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the inspector, read field by field
type Json = Record<string, any>;
type Inspected = {
  dag: Json;
  task: Json;
  operatorBases: string[];
  operatorMethods: string[];
  raisesFailWithoutRetry: boolean;
  retryableExitCodes: number[];
  exitMeanings: Record<string, string>;
  constants: Record<string, unknown>;
};

function inspect(): Inspected {
  const r = runTool('python3', ['test/deploy/inspect_dag.py', DAG]);
  if (r.code !== 0) throw new Error(`inspect_dag.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Inspected;
}

test('compiles with python3 -m py_compile', () => {
  const cache = mkdtempSync(join(tmpdir(), 'gbsync-pycache-'));
  try {
    // The byte code goes to a temporary directory, not next to the DAG.
    const r = runTool('env', [`PYTHONPYCACHEPREFIX=${cache}`, 'python3', '-m', 'py_compile', DAG]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('runs every 30 minutes, one run at a time, without catching up missed runs', () => {
  const { dag } = inspect();
  expect(dag).toMatchObject({
    dag_id: 'growthbook_ldap_sync',
    schedule: '*/30 * * * *',
    max_active_runs: 1,
    catchup: false,
  });
  expect(dag.default_args.email_on_failure).toBe(true);
});

test('runs the CronJob image with the same command, environment and security settings', () => {
  const { task, constants } = inspect();
  const base = parse(readFileSync(join(REPO, 'deploy/kubernetes/base/kustomization.yaml'), 'utf8'));
  const image = base.images[0];
  expect(task.image).toBe(`${image.newName}:${image.newTag}`);

  expect(constants.DRY_RUN_ARGUMENTS).toEqual(['plan', '--publish-metrics', '--output', 'json']);
  expect(constants.APPLY_ARGUMENTS).toEqual(['apply', '--output', 'json']);
  expect(task.arguments).toEqual(constants.DRY_RUN ? constants.DRY_RUN_ARGUMENTS : constants.APPLY_ARGUMENTS);

  expect(task.secrets).toEqual([
    {
      call: 'Secret',
      deploy_type: 'env',
      deploy_target: 'GROWTHBOOK_LDAP_SYNC_API_KEY',
      secret: 'growthbook-ldap-sync',
      key: 'growthbook-api-key',
    },
  ]);
  expect(Object.keys(task.env_vars)).not.toContain('GROWTHBOOK_LDAP_SYNC_API_KEY');
  const deadline = Number(task.env_vars.SYNC_DEADLINE_SECONDS);
  expect(deadline).toBeGreaterThan(0);
  expect(task.execution_timeout).toBeGreaterThan(deadline);

  expect(task.security_context).toMatchObject({
    run_as_non_root: true,
    seccomp_profile: { type: 'RuntimeDefault' },
  });
  expect(task.container_security_context).toMatchObject({
    allow_privilege_escalation: false,
    read_only_root_filesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  const mounts = task.volume_mounts.map((m: { mount_path: string }) => m.mount_path);
  expect(mounts).toContain(task.env_vars.GBSYNC_CONFIG);
  expect(mounts.some((m: string) => task.env_vars.LDAP_CA_CERT_PATH.startsWith(`${m}/`))).toBe(true);
});

test('retries once only for exit codes 4 and 6; a tripped breaker (2) fails at once and alerts', () => {
  const inspected = inspect();
  expect(inspected.task.retries).toBe(1);
  expect(inspected.retryableExitCodes).toEqual([4, 6]);
  expect(inspected.operatorBases).toEqual(['KubernetesPodOperator']);
  expect(inspected.operatorMethods).toContain('cleanup');
  expect(inspected.raisesFailWithoutRetry).toBe(true);
  expect(Object.keys(inspected.exitMeanings).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
});

test('the operator fails without retry on every exit code but 4 and 6 (its own code, run with stand-ins)', () => {
  const r = runTool('python3', ['test/deploy/exercise_dag_retries.py', DAG]);
  expect(r.stderr).toBe('');
  const outcome = JSON.parse(r.stdout) as Record<string, { raised: string; message: string }>;
  for (const code of ['1', '2', '3', '5', '7']) {
    expect(outcome[code]?.raised, `exit ${code}`).toBe('AirflowFailException');
    expect(outcome[code]?.message).toContain(`exited ${code}:`);
  }
  for (const code of ['4', '6']) expect(outcome[code]?.raised, `exit ${code}`).toBe('AirflowException');
  // A pod that never ran (no exit code) is worth the one retry, too.
  expect(outcome.None?.raised).toBe('AirflowException');
  expect(outcome['2']?.message).toContain('circuit breaker');
});
