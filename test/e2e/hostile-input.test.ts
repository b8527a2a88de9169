// Hostile input and broken surroundings, end to end through the real CLI: each ends in the right exit
// code with a clear message, no stack trace, no secret, and no write after any doubt.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/run-cli.js';
import { ADMIN, CANARY_KEY, GATE, seedMember, type World, worldPerTest } from '../helpers/world.js';

const given = worldPerTest();
const people = ['ann', 'bob'].map((uid) => ({ uid, ldap: [ADMIN], posix: [GATE] }));
const twoGrants = { people, members: people.map((p) => seedMember(p.uid)) };

/** Runs the CLI with stdout or stderr on a device (e.g. /dev/full); the other stream is captured. */
function runWithDevice(
  world: World,
  args: string[],
  stream: 'stdout' | 'stderr',
  device: string,
): Promise<{ code: number | null; signal: string | null; captured: string }> {
  const fd = openSync(device, 'w');
  const child = spawn(process.execPath, [BIN, ...args, '--config', world.configPath], {
    env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY },
    stdio: ['ignore', stream === 'stdout' ? fd : 'pipe', stream === 'stderr' ? fd : 'pipe'],
  });
  let captured = '';
  const other = stream === 'stdout' ? child.stderr : child.stdout;
  other?.setEncoding('utf8').on('data', (d: string) => {
    captured += d;
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, captured })));
}

describe('exit codes on hostile configuration and environment', () => {
  test('an API key with a line break: exit 3 at once, no request, the key never printed', async () => {
    const world = await given(twoGrants);
    const key = `${CANARY_KEY}\nX-Evil: 1`;
    const r = await world.run(['apply', '--output', 'json'], { GROWTHBOOK_LDAP_SYNC_API_KEY: key });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the key contains a line break');
    expect(r.stderr + r.stdout).not.toContain(CANARY_KEY);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(world.emulator.requests).toHaveLength(0);
  });

  test('an API key with a character outside Latin-1: exit 3 at once, no request', async () => {
    const world = await given(twoGrants);
    const r = await world.run(['plan'], { GROWTHBOOK_LDAP_SYNC_API_KEY: `${CANARY_KEY}\u2603` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the key contains a character that cannot be sent in an HTTP header');
    expect(r.stderr).not.toContain(CANARY_KEY);
    expect(world.emulator.requests).toHaveLength(0);
  });

  test('a configuration with 150 YAML aliases: exit 3 with a message, no stack trace', async () => {
    const world = await given(twoGrants);
    const config = join(world.dir, 'aliases.yaml');
    writeFileSync(
      config,
      `${readFileSync(world.configPath, 'utf8')}x-anchors:\n  a: &a [1]\n  b: [${Array(150).fill('*a').join(', ')}]\n`,
    );
    const r = await runCli(['plan', '--config', config], { GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('too many YAML aliases');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--config /dev/zero: exit 3 at the size limit instead of hanging', async () => {
    const r = await runCli(['plan', '--config', '/dev/zero'], { GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\/dev\/zero is larger than the limit of \d+ bytes/);
  });
});

describe('a full output device', () => {
  test('stdout on /dev/full: the writes land, the failure is reported, metrics are published, exit 5', async () => {
    const world = await given(twoGrants);
    const textfile = join(world.dir, 'sync.prom');
    writeFileSync(
      world.configPath,
      `${readFileSync(world.configPath, 'utf8')}metrics:\n  textfile: ${textfile}\n`,
    );
    const r = await runWithDevice(world, ['apply', '--output', 'json'], 'stdout', '/dev/full');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(5);
    expect(world.writes()).toHaveLength(2);
    expect(r.captured).toContain('could not write the report to stdout');
    expect(r.captured).toContain('ENOSPC');
    expect(r.captured).not.toMatch(/\n\s+at /);
    expect(existsSync(textfile)).toBe(true);
    expect(readFileSync(textfile, 'utf8')).toMatch(/^gbsync_exit_code 5$/m);
  });

  test('stderr on /dev/full: the run still reports on stdout, publishes metrics and exits 0', async () => {
    const world = await given(twoGrants);
    const textfile = join(world.dir, 'sync.prom');
    writeFileSync(
      world.configPath,
      `${readFileSync(world.configPath, 'utf8')}metrics:\n  textfile: ${textfile}\n`,
    );
    const r = await runWithDevice(world, ['apply', '--output', 'json'], 'stderr', '/dev/full');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(world.writes()).toHaveLength(2);
    expect(JSON.parse(r.captured).summary.grant).toBe(2);
    expect(readFileSync(textfile, 'utf8')).toMatch(/^gbsync_exit_code 0$/m);
  });
});
