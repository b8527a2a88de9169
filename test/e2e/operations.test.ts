// Operations: saved plans (plan --out / apply --plan) and the seat budget, through the real CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { acquireRunLock } from '../../src/lock/run-lock.js';
import { planChecksum } from '../../src/reconcile/saved-plan.js';
import {
  ADMIN,
  buildDataYaml,
  GATE,
  PROJECT,
  READONLY,
  seedMember,
  THREE_PEOPLE,
  threeMembers,
  WIKIMEDIA_POLICY,
  WMDE_POLICY,
  WMDE_PROJECT,
  type World,
  worldPerTest,
} from '../helpers/world.js';
import { startGateway } from '../observe/helpers.js';

const given = worldPerTest();

const people = THREE_PEOPLE;
const members = () => threeMembers();

describe('saved plans', () => {
  const planFile = (w: World) => join(w.dir, 'plan.json');

  test('plan --out, then apply --plan applies exactly that plan', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    const planned = await w.runJson('plan', ['--out', planFile(w)]);
    expect(planned.code).toBe(0);
    expect(w.writes()).toHaveLength(0);
    const applied = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.doc.actions.map((x) => `${x.kind}:${x.email}:${x.result}`)).toEqual(
      planned.doc.actions.map((x) => `${x.kind}:${x.email}:${x.kind === 'noop' ? 'planned' : 'applied'}`),
    );
    expect(
      w
        .writes()
        .map((x) => x.id)
        .sort(),
    ).toEqual(['u_a', 'u_b', 'u_c']);
  });

  test('refused when a person the plan left unchanged now resolves differently', async () => {
    const world = await given({
      people: [...people, { uid: 'd', ldap: [ADMIN], posix: [GATE] }],
      members: [...members(), seedMember('d', { projectRoles: [{ project: PROJECT, role: 'admin' }] })],
    });
    const w = world;
    await w.runJson('plan', ['--out', planFile(w)]);
    w.gitiles.setText(buildDataYaml([...people, { uid: 'd', ldap: [ADMIN], posix: [] }]));
    const r = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(r.code).toBe(5);
    expect((r.doc as { refused?: string }).refused).toMatch(
      /d@wikimedia.org in prj_\w+: now revoke → noaccess \(saved: noop → admin\)/,
    );
    expect(w.writes()).toHaveLength(0);
  });

  test('refused when a member due a change appeared after the plan was saved (the sets of changes differ)', async () => {
    const two = [
      { uid: 'k', ldap: [ADMIN], posix: [GATE] },
      { uid: 'g1', ldap: [READONLY], posix: [GATE] },
    ];
    const world = await given({
      people: two,
      members: [seedMember('k', { projectRoles: [{ project: PROJECT, role: 'admin' }] }), seedMember('g1')],
      growthbook: { maxSeats: 2 },
    });
    const w = world;
    await w.runJson('plan', ['--out', planFile(w)]);
    // Someone appears with access after the plan: a fresh plan would revoke them, the saved one cannot.
    w.emulator.setMember(seedMember('late', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }));
    const r = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(r.code).toBe(5);
    expect((r.doc as { refused?: string }).refused).toMatch(
      /late@wikimedia\.org in \S+: now revoke → noaccess, not in the saved plan/,
    );
    expect(w.writes()).toHaveLength(0);
  });

  test('refused when a planned member changed in GrowthBook since (exit 5, nothing written)', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    await w.runJson('plan', ['--out', planFile(w)]);
    w.emulator.setMember(seedMember('b', { projectRoles: [{ project: PROJECT, role: 'admin' }] }));
    const r = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(r.code).toBe(5);
    expect((r.doc as { refused?: string }).refused).toMatch(
      /b@wikimedia.org: member state in GrowthBook changed/,
    );
    expect(w.writes()).toHaveLength(0);
  });

  test('refused when a person resolves differently now (the gate left data.yaml)', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    await w.runJson('plan', ['--out', planFile(w)]);
    w.gitiles.setText(buildDataYaml(people.map((p) => (p.uid === 'a' ? { ...p, posix: [] } : p))));
    const r = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(r.code).toBe(5);
    expect((r.doc as { refused?: string }).refused).toMatch(
      /a@wikimedia.org in prj_\w+: now noop → noaccess \(saved: grant → admin\)/,
    );
    expect(w.writes()).toHaveLength(0);
  });

  test('refused when older than safety.maxPlanAgeSeconds', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    await w.runJson('plan', ['--out', planFile(w)]);
    const { checksum: _, ...saved } = JSON.parse(readFileSync(planFile(w), 'utf8'));
    saved.createdAt = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    // Re-sealed, so that the age, not the edit, is what is refused.
    writeFileSync(planFile(w), JSON.stringify({ ...saved, checksum: planChecksum(saved) }));
    w.emulator.resetRequests();
    const r = await w.runJson('apply', ['--plan', planFile(w)]);
    expect(r.code).toBe(5);
    expect((r.doc as { refused?: string }).refused).toMatch(/more than safety.maxPlanAgeSeconds \(3600 s\)/);
    expect(w.emulator.requests).toHaveLength(0); // refused before reading anything
  });

  test('a file that is not a saved plan is a usage error (exit 3)', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    writeFileSync(planFile(w), '{"hello": 1}');
    const r = await w.run(['apply', '--plan', planFile(w), '--output', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not a plan written by plan --out');
  });
});

describe('seat budget', () => {
  test('grants beyond growthbook.maxSeats are held back as pending seat-limit', async () => {
    const entitled = ['p1', 'p2', 'p3'].map((uid) => ({ uid, ldap: [READONLY], posix: [GATE] }));
    const world = await given({
      people: entitled,
      members: entitled.map((p) => seedMember(p.uid)),
      growthbook: { maxSeats: 2 },
    });
    const r = await world.runJson('apply');
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.doc.actions.map((x) => `${x.kind}:${x.email}:${x.reason === 'seat-limit' ? 'seat-limit' : x.result}`),
    ).toEqual([
      'grant:p1@wikimedia.org:applied',
      'grant:p2@wikimedia.org:applied',
      'pending:p3@wikimedia.org:seat-limit',
    ]);
    expect(world.writes()).toHaveLength(2);
  });
});

describe('--lock-file', () => {
  test('a lock held by a live run: exit 7 at once, nothing read or written', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    const path = join(w.dir, 'sync.lock');
    const held = acquireRunLock(path, { runId: 'other-run' });
    try {
      const r = await w.run(['apply', '--lock-file', path, '--output', 'json']);
      expect(r.code).toBe(7);
      expect(r.stderr).toContain('other-run');
      expect(w.emulator.requests).toHaveLength(0);
    } finally {
      held.release();
    }
  });

  test('a stale lock (its process gone) is taken over with a warning, and released after the run', async () => {
    const world = await given({ people, members: members() });
    const w = world;
    const path = join(w.dir, 'sync.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(
      path,
      JSON.stringify({
        pid: dead,
        hostname: hostname(),
        runId: 'crashed-run',
        startedAt: new Date().toISOString(),
      }),
    );
    const r = await w.run(['apply', '--lock-file', path, '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('took over a stale lock');
    expect(existsSync(path)).toBe(false);
  });
});

describe('metrics', () => {
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  test('a run writes the textfile atomically and pushes to the Pushgateway; a failed run keeps the last success', async () => {
    const pushed: { method: string; url: string; body: string }[] = [];
    let metricsDir = '';
    const { createServer } = await import('node:http');
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        pushed.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const port = (gateway.address() as { port: number }).port;
    try {
      metricsDir = mkdtempSync(join(tmpdir(), 'gbsync-metrics-'));
      const textfile = join(metricsDir, 'growthbook_ldap_sync.prom');
      const world = await given({
        people,
        members: members(),
        metrics: { textfile, pushgatewayUrl: `http://127.0.0.1:${port}` },
      });
      const w = world;

      const ok = await w.runJson('apply');
      expect(ok.code).toBe(0);
      const first = readFileSync(textfile, 'utf8');
      expect(value(first, 'gbsync_exit_code')).toBe(0);
      expect(value(first, `gbsync_actions{project="${PROJECT}",kind="grant",result="applied"}`)).toBe(2);
      expect(value(first, `gbsync_actions{project="${PROJECT}",kind="revoke",result="applied"}`)).toBe(1);
      expect(value(first, `gbsync_members{project="${PROJECT}",role="admin"}`)).toBe(1);
      expect(value(first, `gbsync_members{project="${PROJECT}",role="readonly"}`)).toBe(1);
      expect(value(first, 'gbsync_seats')).toBe(2);
      expect(value(first, 'gbsync_source_entries{source="growthbook"}')).toBe(3);
      expect(value(first, 'gbsync_requests{target="growthbook",status="200"}')).toBeGreaterThan(0);
      expect(value(first, `gbsync_circuit_breaker_tripped{project="${PROJECT}"}`)).toBe(0);
      const success = value(first, 'gbsync_last_success_timestamp_seconds');
      expect(success).toBeGreaterThan(0);
      expect(pushed).toHaveLength(1);
      // Grouped by job and managed project: two deployments never overwrite each other's series.
      expect(pushed[0]).toMatchObject({
        method: 'POST',
        url: `/metrics/job/growthbook_ldap_sync/projects/${PROJECT}`,
      });
      expect(pushed[0]?.body).toMatch(/^gbsync_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
      expect(pushed[0]?.body).toContain('gbsync_exit_code 0');

      w.gitiles.setMode('error-500');
      const failed = await w.run(['apply', '--output', 'json']);
      expect(failed.code).toBe(4);
      const second = readFileSync(textfile, 'utf8');
      expect(value(second, 'gbsync_exit_code')).toBe(4);
      expect(value(second, 'gbsync_last_success_timestamp_seconds')).toBe(success);
      expect(value(second, 'gbsync_requests{target="posix",status="error"}')).toBe(1);
      expect(pushed[1]?.body).not.toContain('gbsync_last_success_timestamp_seconds ');
    } finally {
      if (metricsDir) rmSync(metricsDir, { recursive: true, force: true });
      gateway.closeAllConnections();
      await new Promise((r) => gateway.close(r));
    }
  });

  test('plan publishes nothing; plan --publish-metrics publishes as apply does, breaker trips included', async () => {
    const pushed: { url: string; body: string }[] = [];
    const { createServer } = await import('node:http');
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        pushed.push({ url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    try {
      const port = (gateway.address() as { port: number }).port;
      const world = await given({
        people,
        members: members(),
        safety: { threshold: { min: 0, percent: 0 } },
      });
      const textfile = join(world.dir, 'dry-run.prom');
      writeFileSync(
        world.configPath,
        `${readFileSync(world.configPath, 'utf8')}metrics:\n  textfile: ${textfile}\n` +
          `  pushgatewayUrl: http://127.0.0.1:${port}\n  instance: dry-run\n`,
      );
      const plain = await world.runJson('plan');
      expect(plain.code).toBe(2);
      expect(existsSync(textfile)).toBe(false);
      expect(pushed).toHaveLength(0);

      const published = await world.runJson('plan', ['--publish-metrics']);
      expect(published.code).toBe(2);
      const text = readFileSync(textfile, 'utf8');
      expect(value(text, 'gbsync_exit_code')).toBe(2);
      expect(value(text, `gbsync_circuit_breaker_tripped{project="${PROJECT}"}`)).toBe(1);
      expect(value(text, `gbsync_actions{project="${PROJECT}",kind="revoke",result="planned"}`)).toBe(1);
      expect(value(text, `gbsync_actions{project="${PROJECT}",kind="grant",result="planned"}`)).toBe(2);
      expect(value(text, 'gbsync_ignored_members{reason="no-entry"}')).toBe(0);
      expect(value(text, 'gbsync_last_success_timestamp_seconds')).toBeUndefined();
      expect(pushed.map((p) => p.url)).toEqual([
        `/metrics/job/growthbook_ldap_sync/projects/${PROJECT}/instance/dry-run`,
      ]);
      expect(pushed[0]?.body).toContain(`gbsync_circuit_breaker_tripped{project="${PROJECT}"} 1`);
      expect(world.writes()).toHaveLength(0);
    } finally {
      gateway.closeAllConnections();
      await new Promise((r) => gateway.close(r));
    }
  });

  test('with several managed projects, the grouping key names them all', async () => {
    const gateway = await startGateway();
    try {
      const world = await given({
        people,
        members: members(),
        projects: [
          { id: PROJECT, policy: WIKIMEDIA_POLICY },
          { id: WMDE_PROJECT, policy: WMDE_POLICY },
        ],
        metrics: { pushgatewayUrl: gateway.origin, instance: 'eqiad' },
      });
      const r = await world.runJson('apply');
      expect(r.code, r.stderr).toBe(0);
      // The label value is "<id>,<id>", percent-encoded in the path (the gateway decodes it).
      expect(gateway.received.map((g) => g.url)).toEqual([
        `/metrics/job/growthbook_ldap_sync/projects/${PROJECT}%2C${WMDE_PROJECT}/instance/eqiad`,
      ]);
      // Each series keeps its own project: no series label shares the grouping label's name.
      const body = gateway.received[0]?.body ?? '';
      expect(body).toContain(`gbsync_circuit_breaker_tripped{project="${PROJECT}"} 0`);
      expect(body).toContain(`gbsync_circuit_breaker_tripped{project="${WMDE_PROJECT}"} 0`);
      expect(body).not.toMatch(/[{,]projects="/);
    } finally {
      await gateway.close();
    }
  });

  test('a Pushgateway that is down is logged, never fatal', async () => {
    const world = await given({
      people,
      members: members(),
      metrics: { pushgatewayUrl: 'http://127.0.0.1:9' },
    });
    const r = await world.runJson('apply');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('metrics push failed');
  });
});
