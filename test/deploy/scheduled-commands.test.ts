// The commands the deployments run, taken from the rendered overlays and the DAG, run through the
// real CLI against a world: the dry run writes nothing and publishes metrics, the apply converges.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { THREE_PEOPLE, threeMembers, worldPerTest } from '../helpers/world.js';
import { hasCommand, runTool } from './run-tool.js';

const given = worldPerTest();
const people = THREE_PEOPLE;
const members = () => threeMembers();

function overlayContainer(overlay: string): { args: string[]; env: Record<string, string> } {
  const [command, args] = hasCommand('kustomize')
    ? ['kustomize', ['build', `deploy/kubernetes/overlays/${overlay}`]]
    : ['kubectl', ['kustomize', `deploy/kubernetes/overlays/${overlay}`]];
  const r = runTool(command as string, args as string[]);
  const cronJob = parseAllDocuments(r.stdout)
    .map((d) => d.toJS())
    .find((d) => d.kind === 'CronJob');
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env) if (typeof e.value === 'string') env[e.name] = e.value;
  return { args: container.args, env };
}

let gateway: (Server & { pushes: number }) | undefined;
afterEach(async () => {
  if (gateway) {
    gateway.closeAllConnections();
    await new Promise((r) => gateway?.close(r));
    gateway = undefined;
  }
});

async function worldWithGateway() {
  const server = Object.assign(
    createServer((req, res) => {
      req.resume().on('end', () => {
        server.pushes += 1;
        res.writeHead(200).end();
      });
    }),
    { pushes: 0 },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gateway = server;
  const pushgatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return given({ people, members: members(), metrics: { pushgatewayUrl } });
}

test('the dry-run overlay plans, writes nothing and publishes metrics', async () => {
  const { args, env } = overlayContainer('dry-run');
  const world = await worldWithGateway();
  // The manifests' paths exist only in the pod; the world's config stands in for the ConfigMap.
  const r = await world.run(args, { SYNC_DEADLINE_SECONDS: env.SYNC_DEADLINE_SECONDS });
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'plan', summary: { grant: 2, revoke: 1 } });
  expect(world.writes()).toEqual([]);
  expect(gateway?.pushes).toBeGreaterThan(0);
});

test('the apply overlay applies, verifies and publishes metrics', async () => {
  const { args, env } = overlayContainer('apply');
  const world = await worldWithGateway();
  const r = await world.run(args, { SYNC_DEADLINE_SECONDS: env.SYNC_DEADLINE_SECONDS });
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'apply', summary: { grant: 2, revoke: 1 } });
  expect(world.writes()).toHaveLength(3);
  expect(gateway?.pushes).toBeGreaterThan(0);
});
