// Crash safety: an apply killed with SIGKILL (no handler, no cleanup: the node is lost, the pod is
// OOM-killed) at several points, then run again. The rerun converges to the target, a plan after it
// has nothing left to do, and at no moment, in any snapshot of GrowthBook between requests, did any
// member hold more access in the managed project than at the start or at the target.
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { ApiMember } from '../../src/emulator/index.js';
import { BIN } from '../helpers/run-cli.js';
import {
  ADMIN,
  CANARY_KEY,
  ELEVATED,
  ELEVATED_ROLE,
  GATE,
  OTHER_PROJECT,
  PROJECT,
  READONLY,
  seedMember,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest();
const RANK = ['noaccess', 'readonly', ELEVATED_ROLE, 'admin'];
/** A role outside the ranking (engineer…) counts above every ranked one, as the planner counts it. */
const rank = (role: string) => (RANK.includes(role) ? RANK.indexOf(role) : RANK.length);

const effective = (m: ApiMember | undefined) =>
  m?.projectRoles?.find((p) => p.project === PROJECT)?.role ?? m?.globalRole ?? 'noaccess';

// Two revokes, a downgrade, an upgrade, three grants; one member keeps another project's entry.
const people = [
  { uid: 'rev1', ldap: [], posix: [GATE] },
  { uid: 'rev2', ldap: [ELEVATED], posix: [] },
  { uid: 'down', ldap: [READONLY], posix: [GATE] },
  { uid: 'up', ldap: [ADMIN], posix: [GATE] },
  { uid: 'new1', ldap: [READONLY], posix: [GATE] },
  { uid: 'new2', ldap: [ADMIN], posix: [GATE] },
  { uid: 'other', ldap: [ELEVATED], posix: [GATE, 'deployment'] },
];
const members = () => [
  seedMember('rev1', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
  seedMember('rev2', { projectRoles: [{ project: PROJECT, role: ELEVATED_ROLE }] }),
  seedMember('down', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
  seedMember('up', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
  seedMember('new1'),
  seedMember('new2'),
  seedMember('other', {
    projectRoles: [{ project: OTHER_PROJECT, role: 'engineer', environments: ['production'] }],
  }),
];
const TARGET: Record<string, string> = {
  u_rev1: 'noaccess',
  u_rev2: 'noaccess',
  u_down: 'readonly',
  u_up: 'admin',
  u_new1: 'readonly',
  u_new2: 'admin',
  u_other: ELEVATED_ROLE,
};
const WRITES = Object.keys(TARGET).length;

/** Where the first apply is killed: the request that, on arrival, triggers SIGKILL. */
type KillPoint = { name: string; at: (method: string, userEmail: boolean, posts: number) => boolean };
const KILL_POINTS: KillPoint[] = [
  { name: 'while reading the members, before any write', at: (m, byEmail) => m === 'GET' && !byEmail },
  { name: 'during the first fresh read', at: (m, byEmail, posts) => m === 'GET' && byEmail && posts === 0 },
  { name: 'with the 1st write in flight', at: (m, _e, posts) => m === 'POST' && posts === 1 },
  { name: 'with the 3rd write in flight', at: (m, _e, posts) => m === 'POST' && posts === 3 },
  {
    name: 'between two writes (a fresh read)',
    at: (m, byEmail, posts) => m === 'GET' && byEmail && posts === 5,
  },
  { name: 'with the last write in flight', at: (m, _e, posts) => m === 'POST' && posts === WRITES },
  { name: 'during verification', at: (m, byEmail, posts) => m === 'GET' && !byEmail && posts === WRITES },
];

function run(args: string[], configPath: string) {
  const child = spawn(process.execPath, [BIN, ...args, '--output', 'json', '--config', configPath], {
    env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, done };
}

describe('SIGKILL at any point of an apply, then a rerun', () => {
  for (const point of KILL_POINTS) {
    test(`killed ${point.name}: the rerun converges, and nobody ever held more than max(start, target)`, async () => {
      const w = await given({ people, members: members() });
      const start = new Map(w.emulator.members().map((m) => [m.id, effective(m)]));
      const ceiling = new Map(
        Object.entries(TARGET).map(([id, to]) => [id, Math.max(rank(start.get(id) ?? 'noaccess'), rank(to))]),
      );
      const snapshots: ApiMember[][] = [];
      let posts = 0;
      let victim: ReturnType<typeof run> | undefined;
      let killed = false;
      w.emulator.setOnRequest((req) => {
        snapshots.push(w.emulator.members());
        if (req.method === 'POST') posts += 1;
        if (victim && !killed && point.at(req.method, 'userEmail' in req.query, posts)) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      });

      victim = run(['apply'], w.configPath);
      const first = await victim.done;
      expect(killed, 'the kill point was reached').toBe(true);
      expect(first.signal).toBe('SIGKILL');

      const rerun = await run(['apply'], w.configPath).done;
      expect(rerun.code, rerun.stdout).toBe(0);
      snapshots.push(w.emulator.members());
      const after = await run(['plan'], w.configPath).done;
      expect(after.code).toBe(0);
      const summary = JSON.parse(after.stdout).summary as Record<string, number>;
      expect([summary.revoke, summary.downgrade, summary.upgrade, summary.grant]).toEqual([0, 0, 0, 0]);

      const final = new Map(w.emulator.members().map((m) => [m.id, m]));
      for (const [id, to] of Object.entries(TARGET)) expect(effective(final.get(id)), id).toBe(to);
      // The other project's entry survived every write, environments included.
      expect(final.get('u_other')?.projectRoles).toContainEqual(
        expect.objectContaining({ project: OTHER_PROJECT, role: 'engineer', environments: ['production'] }),
      );
      for (const snapshot of snapshots) {
        for (const m of snapshot) {
          const limit = ceiling.get(m.id);
          if (limit === undefined) continue;
          expect(rank(effective(m)), `${m.id} held ${effective(m)}`).toBeLessThanOrEqual(limit);
          expect(m.globalRole, `${m.id} global role`).toBe('noaccess');
        }
      }
    });
  }
});
