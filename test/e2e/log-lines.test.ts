// Every stderr line is a log line once the configuration is read: JSON lines by default, Elastic
// Common Schema lines with --log-format ecs or logging.format: ecs (the flag wins). Fatal errors,
// configuration errors found in the environment, the signal notice and "apply incomplete" included.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/run-cli.js';
import {
  ADMIN,
  CANARY_KEY,
  GATE,
  PROJECT,
  READONLY,
  seedMember,
  type World,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest();

const people = [
  { uid: 'a', ldap: [ADMIN], posix: [GATE] },
  { uid: 'r', ldap: [READONLY], posix: [GATE] },
  { uid: 'gone', ldap: [], posix: [] },
];
const members = () => [
  seedMember('a'),
  seedMember('r', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
  seedMember('gone', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
];

type Line = Record<string, unknown>;

/** Every non-empty stderr line, parsed; a line that is not JSON fails the test. */
function parseAll(stderr: string): Line[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`stderr line is not a log line: ${l}`);
      }
    });
}

// Top-level fields an ECS line may carry: ECS field sets (dotted or nested) and our one namespace.
const ECS_TOP =
  /^(@timestamp|message|labels\.[a-z_]+|ecs\.version|log\.level|service\.(name|version)|event\.(dataset|kind|category|type|action|outcome)|error|gbsync)$/;

function expectEcs(line: Line): void {
  for (const key of ['@timestamp', 'log.level', 'message', 'ecs.version', 'labels.sync_run_id']) {
    expect(line[key], `${key} in ${JSON.stringify(line)}`).toBeTypeOf('string');
  }
  expect(Number.isNaN(Date.parse(String(line['@timestamp'])))).toBe(false);
  for (const key of Object.keys(line)) expect(key, JSON.stringify(line)).toMatch(ECS_TOP);
}

const setLogging = (w: World, format: string) =>
  writeFileSync(w.configPath, `${readFileSync(w.configPath, 'utf8')}logging:\n  format: ${format}\n`);

describe('log formats', () => {
  test('an apply in json and in ecs: every line parses; audit lines carry the same facts; no key', async () => {
    const w = await given({ people, members: members() });
    const json = await w.run(['apply', '--output', 'json', '--log-format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    // Same world again, converged: reset the members so the ECS run makes the same decisions.
    for (const m of members()) w.emulator.setMember(m);
    const ecs = await w.run(['apply', '--output', 'json', '--log-format', 'ecs']);
    expect(ecs.code, ecs.stderr).toBe(0);

    const jsonLines = parseAll(json.stderr);
    const ecsLines = parseAll(ecs.stderr);
    for (const line of jsonLines) {
      expect(line).toMatchObject({ sync_run_id: expect.any(String), level: expect.any(String) });
    }
    for (const line of ecsLines) expectEcs(line);
    expect(new Set(ecsLines.map((l) => l['labels.sync_run_id'])).size).toBe(1);

    const facts = (l: Line) => {
      const { level: _l, time: _t, sync_run_id: _r, msg: _m, ...rest } = l;
      return rest;
    };
    const jsonAudit = jsonLines.filter((l) => l.audit === true).map(facts);
    const ecsAudit = ecsLines.filter((l) => (l.gbsync as Line | undefined)?.audit === true);
    expect(jsonAudit.length).toBe(3);
    expect(ecsAudit.map((l) => l.gbsync)).toEqual(jsonAudit);
    expect(ecsAudit.map((l) => l.message)).toEqual(['decision', 'decision', 'decision']);
    const revoke = ecsAudit.find((l) => (l.gbsync as Line).kind === 'revoke');
    expect(revoke).toMatchObject({
      'event.action': 'revoke',
      'event.outcome': 'success',
      'event.category': ['iam'],
      gbsync: { email: 'gone@wikimedia.org', from: 'readonly', to: 'noaccess', result: 'applied' },
    });
    for (const out of [json, ecs]) expect(out.stdout + out.stderr).not.toContain(CANARY_KEY);
  });

  test('logging.format: ecs in the configuration; --log-format json wins over it', async () => {
    const w = await given({ people, members: members() });
    setLogging(w, 'ecs');
    const fromConfig = await w.run(['plan', '--output', 'json']);
    expect(fromConfig.code).toBe(0);
    for (const line of parseAll(fromConfig.stderr)) expectEcs(line);
    const flag = await w.run(['plan', '--output', 'json', '--log-format', 'json']);
    expect(parseAll(flag.stderr).every((l) => typeof l.sync_run_id === 'string' && 'msg' in l)).toBe(true);
  });
});

describe('every stderr line is a log line', () => {
  test.each(['json', 'ecs'])(
    'a source error: a log line at error level with the run id (%s)',
    async (format) => {
      const w = await given({ people, members: members() });
      w.gitiles.setMode('error-500');
      const r = await w.run(['apply', '--output', 'json', '--log-format', format]);
      expect(r.code).toBe(4);
      const lines = parseAll(r.stderr);
      const last = lines.at(-1) as Line;
      if (format === 'json') {
        expect(last).toMatchObject({ level: 'error', sync_run_id: expect.any(String) });
        expect(String(last.msg)).toMatch(/^posix: .*\(nothing was written\)$/);
      } else {
        expectEcs(last);
        expect(last['log.level']).toBe('error');
        expect(String(last.message)).toMatch(/^posix: .*\(nothing was written\)$/);
      }
    },
  );

  test('a configuration error found after the configuration was read (no API key) is a log line', async () => {
    const w = await given({ people, members: members() });
    setLogging(w, 'ecs');
    const r = await w.run(['plan'], { GROWTHBOOK_LDAP_SYNC_API_KEY: undefined });
    expect(r.code).toBe(3);
    const [line, ...rest] = parseAll(r.stderr);
    expect(rest).toEqual([]);
    expectEcs(line as Line);
    expect(line).toMatchObject({
      'log.level': 'error',
      message: expect.stringMatching(/no GrowthBook API key/),
    });
  });

  test('before the configuration is read, a plain message', async () => {
    const r = await runCli(['plan', '--config', '/nonexistent/sync.yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^growthbook-ldap-sync: cannot read config file \/nonexistent\/sync.yaml/);
  });

  test('SIGTERM during apply: the notice and "apply incomplete" are warn lines with the run id', async () => {
    const w = await given({
      people: ['a', 'b', 'c'].map((uid) => ({ uid, ldap: [ADMIN], posix: [GATE] })),
      members: ['a', 'b', 'c'].map((uid) => seedMember(uid)),
      emulator: { faults: [{ method: 'POST', delayMs: 1500, times: 1 }] },
    });
    const child = spawn(process.execPath, [BIN, 'apply', '--output', 'json', '--config', w.configPath], {
      env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.resume();
    const deadline = Date.now() + 10_000;
    while (!w.emulator.requests.some((r) => r.method === 'POST') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(5);
    const lines = parseAll(stderr);
    const runIds = new Set(lines.map((l) => l.sync_run_id));
    expect(runIds.size).toBe(1);
    expect(lines.find((l) => String(l.msg).startsWith('signal received'))).toMatchObject({
      level: 'warn',
      signal: 'SIGTERM',
    });
    expect(lines.find((l) => l.msg === 'apply incomplete')).toMatchObject({
      level: 'warn',
      not_attempted: 2,
    });
  });
});
