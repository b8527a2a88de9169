// SIGTERM and SIGINT (pod eviction, an Airflow task kill, Ctrl-C): outside a write the run stops at
// once with exit 5 and nothing written; during the writes, the write in flight finishes and is
// recorded; a second signal never loses that record; a signal at start-up is handled, not fatal.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BIN, logLines } from '../helpers/run-cli.js';
import { ADMIN, CANARY_KEY, GATE, seedMember, type World, worldPerTest } from '../helpers/world.js';

const given = worldPerTest();
const people = ['a', 'b', 'c'].map((uid) => ({ uid, ldap: [ADMIN], posix: [GATE] }));
const threeGrants = { people, members: people.map((p) => seedMember(p.uid)) };

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], config: string): Running {
  const child = spawn(process.execPath, [BIN, ...args, '--config', config], {
    env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

async function until(what: string, condition: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const postsIn = (w: World) => w.emulator.requests.filter((r) => r.method === 'POST');

test('SIGTERM while the sources are still being read stops at once: exit 5, nothing written', async () => {
  const world = await given(threeGrants);
  world.gitiles.setMode('hang');
  const run = start(['apply', '--output', 'json'], world.configPath);
  await until('the data.yaml request', () => world.gitiles.requests.length > 0);
  run.child.kill('SIGTERM');
  const { code, signal } = await run.done;
  expect(signal).toBeNull();
  expect(code).toBe(5);
  expect(run.stderr()).toContain('SIGTERM');
  expect(run.stderr()).toContain('before any write; nothing written');
  expect(run.stderr()).not.toContain('write in flight');
  expect(postsIn(world)).toHaveLength(0);
});

test('a second SIGINT during a write: the write lands and is recorded (audit line and report), then exit 5', async () => {
  const world = await given({
    ...threeGrants,
    emulator: { faults: [{ method: 'POST', delayMs: 1500, times: 1 }] },
  });
  const run = start(['apply', '--output', 'json'], world.configPath);
  await until('the first write', () => postsIn(world).length > 0);
  run.child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  run.child.kill('SIGINT');
  const { code, signal } = await run.done;
  expect(signal).toBeNull();
  expect(code).toBe(5);
  expect(postsIn(world)).toHaveLength(1);
  const written = world.writes()[0]?.id;
  expect(world.emulator.member(written ?? '')?.projectRoles?.[0]?.role).toBe('admin');
  const doc = JSON.parse(run.stdout()) as { actions: { memberId: string; result: string }[] };
  expect(doc.actions.find((a) => a.memberId === written)?.result).toBe('applied');
  const audits = logLines(run.stderr()).filter((l) => l.audit === true && l.result === 'applied');
  expect(audits.map((l) => l.member_id)).toEqual([written]);
});

test('a signal at start-up, before the program has loaded, is handled: exit 5, not death by signal', async () => {
  const world = await given(threeGrants);
  // A FIFO as the configuration holds the program at its very first read, however fast the machine.
  const fifo = join(world.dir, 'config.fifo');
  execFileSync('mkfifo', [fifo]);
  const run = start(['plan', '--output', 'json'], fifo);
  const pid = run.child.pid as number;
  // Wait until the process is blocked opening the FIFO (the kernel's wait channel says so): the
  // program is then loaded only as far as its first read.
  const blockedOnFifo = () => {
    try {
      return readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('wait_for_partner');
    } catch {
      return false;
    }
  };
  await until('the configuration read', blockedOnFifo, 10_000);
  run.child.kill('SIGTERM');
  // Fed from another process: a write to a FIFO nobody reads any more would block this one.
  const feeder = spawn('sh', ['-c', 'cat "$1" > "$2"', 'feed', world.configPath, fifo], { stdio: 'ignore' });
  const { code, signal } = await run.done;
  feeder.kill('SIGKILL');
  rmSync(fifo, { force: true });
  expect(signal).toBeNull();
  expect(code).toBe(5);
  expect(run.stderr()).toContain('before any write; nothing written');
  // The handler runs once the first read returns; reads may have started by then, writes never.
  expect(world.emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});
