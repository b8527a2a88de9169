// The Kubernetes manifests: each overlay rendered by a real kustomize, every object validated against
// the Kubernetes schemas, the CronJob's safety settings checked one by one, and the configuration in
// the ConfigMap loaded by the tool's own loader.

import { CronJob } from 'kubernetes-models/batch/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfigText } from '../../src/config/load-config.js';
import { hasCommand, runTool } from './run-tool.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML, read field by field
type Doc = Record<string, any>;

const OVERLAYS = {
  'dry-run': ['plan', '--publish-metrics', '--output', 'json'],
  apply: ['apply', '--output', 'json'],
};

function render(dir: string): Doc[] {
  // Prefer a standalone kustomize; kubectl (1.21 or later) embeds one.
  const [command, args] = hasCommand('kustomize')
    ? ['kustomize', ['build', dir]]
    : ['kubectl', ['kustomize', dir]];
  const r = runTool(command as string, args as string[], {
    missing:
      'the manifests are rendered with kustomize: install kubectl (1.21 or later, which embeds it) or ' +
      "kustomize from the Kubernetes project's packages (Debian has no current package)",
  });
  if (r.code !== 0) throw new Error(`${command} could not render ${dir}:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc);
}

/** Validates against the Kubernetes object schema of its kind; an unexpected kind is an error. */
function validate(doc: Doc): void {
  const key = `${doc.apiVersion} ${doc.kind}`;
  if (key === 'batch/v1 CronJob') new CronJob(doc).validate();
  else if (key === 'v1 ConfigMap') new ConfigMap(doc).validate();
  else throw new Error(`unexpected object ${key} ${doc.metadata?.name}`);
}

const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);

describe.each(Object.entries(OVERLAYS))('overlay %s', (overlay, args) => {
  const docs = render(`deploy/kubernetes/overlays/${overlay}`);
  const cronJob = byKind(docs, 'CronJob')[0] as Doc;
  const job = cronJob?.spec?.jobTemplate?.spec as Doc;
  const pod = job?.template?.spec as Doc;
  const container = pod?.containers?.[0] as Doc;

  test('renders one CronJob and one ConfigMap, each valid against the Kubernetes schemas', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'CronJob']);
    for (const doc of docs) expect(() => validate(doc)).not.toThrow();
  });

  test(`runs ${args.join(' ')} every 30 minutes, one run at a time, never retried by Kubernetes`, () => {
    expect(container.args).toEqual(args);
    expect(cronJob.spec.schedule).toBe('*/30 * * * *');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronJob.spec.startingDeadlineSeconds).toBeGreaterThan(0);
    expect(cronJob.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(cronJob.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
    expect(job.backoffLimit).toBe(0);
    expect(pod.restartPolicy).toBe('Never');
  });

  test('Kubernetes kills the pod only after the run deadline has stopped it cleanly', () => {
    const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e]));
    const deadline = Number(env.SYNC_DEADLINE_SECONDS.value);
    expect(deadline).toBeGreaterThan(0);
    expect(job.activeDeadlineSeconds).toBeGreaterThan(deadline);
    // The whole run fits before the next slot, so Forbid never skips a run because of a slow one.
    expect(job.activeDeadlineSeconds).toBeLessThan(30 * 60);
  });

  test('runs as a non-root user with a read-only root filesystem, no privileges, no capabilities', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  test('takes the API key from a Secret, the config from the ConfigMap, the LDAP CA from a mounted bundle', () => {
    const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e]));
    expect(env.GROWTHBOOK_LDAP_SYNC_API_KEY.valueFrom.secretKeyRef).toMatchObject({
      name: expect.any(String),
    });
    expect(env.GROWTHBOOK_LDAP_SYNC_API_KEY.value).toBeUndefined();
    expect(env.LDAP_BIND_PASSWORD.valueFrom.secretKeyRef.optional).toBe(true);

    const mountOf = (path: string) =>
      container.volumeMounts.find((m: Doc) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
    const volumeOf = (name: string) => pod.volumes.find((v: Doc) => v.name === name);

    const configMount = mountOf(env.GBSYNC_CONFIG.value);
    const configMap = byKind(docs, 'ConfigMap')[0] as Doc;
    expect(volumeOf(configMount.name).configMap.name).toBe(configMap.metadata.name);
    expect(configMap.data[configMount.subPath]).toEqual(expect.any(String));

    const caMount = mountOf(env.LDAP_CA_CERT_PATH.value);
    expect(caMount?.readOnly).toBe(true);
    expect(volumeOf(caMount.name).configMap.name).toEqual(expect.any(String));
  });

  test('the ConfigMap holds a configuration the tool loads without error', () => {
    const configMap = byKind(docs, 'ConfigMap')[0] as Doc;
    const config = parseConfigText(configMap.data['config.yaml'], 'ConfigMap config.yaml');
    expect(config.growthbook.url).toMatch(/^https:/);
    expect(config.growthbook.globalRole).toBe('noaccess');
  });
});

test('schema validation rejects what the API server would (the check is not a no-op)', () => {
  const [cronJob] = byKind(render('deploy/kubernetes/overlays/apply'), 'CronJob') as Doc[];
  const broken = structuredClone(cronJob) as Doc;
  broken.spec.concurrencyPolicy = 'Sometimes';
  expect(() => validate(broken)).toThrow(/concurrencyPolicy/);
  const noImage = structuredClone(cronJob) as Doc;
  noImage.spec.jobTemplate.spec.template.spec.containers[0].name = undefined;
  expect(() => validate(noImage)).toThrow(/name/);
});
