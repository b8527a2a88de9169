// The commands besides plan/apply: demo, explain, check, help; and SIGTERM during apply.
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/run-cli.js';
import {
  ADMIN,
  CANARY_KEY,
  ELEVATED,
  GATE,
  PROJECT,
  READONLY,
  seedMember,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest();

describe('demo', () => {
  test('plans, applies and converges against the embedded emulator with no setup', async () => {
    const r = await runCli(['demo', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<
      string,
      { summary: Record<string, number>; apply?: { failed: number } }
    >;
    const plan = doc.plan?.summary ?? {};
    for (const kind of ['revoke', 'downgrade', 'upgrade', 'grant', 'skip', 'pending']) {
      expect(plan[kind], kind).toBeGreaterThan(0);
    }
    expect(doc.apply?.apply?.failed).toBe(0);
    const replan = doc.replan?.summary ?? {};
    expect([replan.revoke, replan.downgrade, replan.upgrade, replan.grant]).toEqual([0, 0, 0, 0]);
  });

  test('human output reads as a report, also through a pipe', async () => {
    const r = await runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KIND');
    expect(r.stdout).toContain('Converged: no changes left.');
    expect(r.stdout).toContain('0 DELETE calls');
    expect(r.stdout).toContain(
      'Other projects untouched: lmulti@wikimedia.org keeps engineer in prj_19g61checkout (staging)',
    );
    expect(r.stdout).toContain('Global role pinned: dformer@wikimedia.org readonly → noaccess');
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour codes
  });
});

describe('explain', () => {
  test('names the gate, every rule and the decision', async () => {
    const world = await given({
      people: [{ uid: 'q', ldap: [ELEVATED, READONLY], posix: [GATE, 'deployment'] }],
      members: [seedMember('q', { projectRoles: [{ project: PROJECT, role: 'readonly' }] })],
    });
    const r = await world.run(['explain', 'Q@wikimedia.org', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const here = doc.people[0].projects[0];
    expect(here.id).toBe(PROJECT);
    expect(here.gate.held).toEqual([GATE]);
    expect(here.rules.map((x: { matched: boolean }) => x.matched)).toEqual([false, true, true, true]);
    expect(here.decision).toMatchObject({ role: 'CustomElevatedAccess', rule: '2' });
    expect(doc.actions[0]).toMatchObject({ kind: 'upgrade', from: 'readonly', project: PROJECT });
    expect(world.writes()).toHaveLength(0);
  });

  test('by uid, in words, for someone the gate stops', async () => {
    const world = await given({
      people: [{ uid: 'boss', ldap: [ADMIN], posix: [] }],
      members: [seedMember('boss')],
    });
    const r = await world.run(['explain', 'boss', '--output', 'human']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('NOT held');
    expect(r.stdout).toMatch(/decision\s+noaccess/);
  });

  test('an unknown person is a usage error', async () => {
    const world = await given({ people: [], members: [] });
    const r = await world.run(['explain', 'nobody@wikimedia.org']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nobody@wikimedia.org');
  });
});

describe('check', () => {
  test('reports what each source holds', async () => {
    const world = await given({
      people: [
        { uid: 'a', ldap: [ADMIN], posix: [GATE] },
        { uid: 'b', ldap: [READONLY], posix: [GATE] },
      ],
      members: [seedMember('a')],
    });
    const r = await world.run(['check', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const bySource = Object.fromEntries(doc.sources.map((s: { source: string }) => [s.source, s]));
    expect(bySource.growthbook.found).toMatchObject({ projects: [`${PROJECT} (Wikimedia)`], members: 1 });
    expect(doc.projects).toEqual([
      {
        id: PROJECT,
        ok: true,
        ldapGroups: ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'],
        posixGroups: [GATE, 'analytics-product-users', 'analytics-wmde-users', 'deployment'],
        missing: [],
      },
    ]);
    expect(bySource.ldap.found.groups).toEqual({
      'growthbook-admin': 1,
      'growthbook-customelevatedaccess': 0,
      'growthbook-readonly': 1,
    });
    expect(bySource.posix.found.policyGroups[GATE]).toBe(2);
  });

  test('tries every source and reports each failure (exit 4)', async () => {
    const world = await given({ people: [], members: [], omitLdapGroups: [ADMIN] });
    world.gitiles.setMode('error-500');
    const r = await world.run(['check', '--output', 'json']);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.sources.map((s: { source: string; ok: boolean }) => `${s.source}:${s.ok}`)).toEqual([
      'growthbook:true',
      'ldap:false',
      'posix:false',
    ]);
  });
});

describe('help and usage', () => {
  test('--help teaches the commands, environment and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      'plan',
      'apply',
      'explain',
      'check',
      'demo',
      'GROWTHBOOK_LDAP_SYNC_API_KEY',
      'Exit codes',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });
  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  test('a mistyped command names itself and lists the commands (exit 3)', async () => {
    for (const args of [
      ['sync'],
      ['--output', 'json', 'sync', '--config', 'x.yaml'],
      ['-c', 'plan.yaml', 'aply'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`unknown command "${args.find((a) => /^(sync|aply)$/.test(a))}"`);
      expect(r.stderr).toContain('plan, apply, explain, check, demo');
    }
    // An option's value that happens to be a word is not a command.
    const r = await runCli(['--config', 'sync', 'plan']);
    expect(r.stderr).not.toContain('unknown command');
  });
  test('demo --config is refused: the demo reads no configuration', async () => {
    const r = await runCli(['demo', '--config', 'sync.yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/demo runs against its embedded GrowthBook emulator .* reads no configuration/);
  });
  test.each([[['plan']], [[]]])(
    'no config (%j; plan is the default): exit 3 saying how to give one',
    async (args) => {
      const r = await runCli(args);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('--config');
    },
  );
});

test('SIGTERM during apply finishes the write in flight, writes nothing more, exits 5', async () => {
  const people = ['a', 'b', 'c'].map((uid) => ({ uid, ldap: [ADMIN], posix: [GATE] }));
  const world = await given({
    people,
    members: people.map((p) => seedMember(p.uid)),
    emulator: { faults: [{ method: 'POST', delayMs: 1500, times: 1 }] },
  });
  const w = world;
  const child = spawn(process.execPath, [BIN, 'apply', '--output', 'json', '--config', w.configPath], {
    env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY },
  });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  // Wait until the first write is in flight, then ask the process to stop.
  const deadline = Date.now() + 10_000;
  while (!w.emulator.requests.some((r) => r.method === 'POST') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(5);
  const doc = JSON.parse(stdout);
  expect(doc.actions.map((a: { result: string; detail?: string }) => a.detail ?? a.result)).toEqual([
    'applied',
    'planned',
    'planned',
  ]);
  expect(w.writes()).toHaveLength(1);
});
