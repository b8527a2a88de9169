// The CLI under the faults a production GrowthBook and network produce: 5xx bursts, 429 with
// Retry-After, dropped connections, member lists that change between pages, a deadline mid-apply,
// and a key that may not write.
import { describe, expect, test } from 'vitest';
import { ADMIN, GATE, PROJECT, seedMember, worldPerTest } from '../helpers/world.js';

const given = worldPerTest();

const threeAdmins = () => {
  const people = ['a', 'b', 'c'].map((uid) => ({ uid, ldap: [ADMIN], posix: [GATE] }));
  return { people, members: people.map((p) => seedMember(p.uid)) };
};

describe('retries', () => {
  test('a burst of 503s shorter than maxRetries is absorbed', async () => {
    const world = await given({ ...threeAdmins(), growthbook: { maxRetries: 3 } });
    world.emulator.addFault({ method: 'GET', path: '/api/v1/members', status: 503, times: 2 });
    const r = await world.runJson('apply');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary.grant).toBe(3);
    expect(world.emulator.requests.filter((q) => q.status === 503)).toHaveLength(2);
  });

  test('429 with Retry-After is waited out (Retry-After is a floor)', async () => {
    const world = await given({ ...threeAdmins(), growthbook: { maxRetries: 2 } });
    world.emulator.addFault({
      method: 'GET',
      path: '/api/v1/members',
      status: 429,
      headers: { 'Retry-After': '1' },
    });
    const r = await world.runJson('plan');
    expect(r.code, r.stderr).toBe(0);
    const listings = world.emulator.requests.filter((q) => q.path === '/api/v1/members');
    expect(listings).toHaveLength(2);
    expect((listings[1]?.at ?? 0) - (listings[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  test('a dropped connection on a read is retried', async () => {
    const world = await given({ ...threeAdmins(), growthbook: { maxRetries: 2 } });
    world.emulator.addFault({ method: 'GET', path: '/api/v1/members', drop: true });
    const r = await world.runJson('plan');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary.grant).toBe(3);
  });
});

describe('pagination integrity', () => {
  const many = () => {
    const people = Array.from({ length: 150 }, (_, i) => ({
      uid: `p${String(i).padStart(3, '0')}`,
      ldap: [],
      posix: [GATE],
    }));
    return { people, members: people.map((p) => seedMember(p.uid)) };
  };

  test('a member list that changes between pages once is read again from the start', async () => {
    const world = await given(many());
    const w = world;
    let changed = false;
    w.emulator.setOnRequest((req) => {
      if (!changed && req.path === '/api/v1/members' && req.query.offset === '100') {
        changed = true;
        w.emulator.setMember(seedMember('late-joiner'));
      }
    });
    const r = await w.runJson('plan');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.actions.filter((a) => a.memberId !== null)).toHaveLength(151);
    expect(w.emulator.requests.filter((q) => q.path === '/api/v1/members')).toHaveLength(4);
  });

  test('a member list that keeps changing aborts the run (exit 4, nothing written)', async () => {
    const world = await given(many());
    const w = world;
    let n = 0;
    w.emulator.setOnRequest((req) => {
      if (req.path === '/api/v1/members' && req.query.offset === '100')
        w.emulator.setMember(seedMember(`joiner${n++}`));
    });
    const r = await w.run(['apply', '--output', 'json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/growthbook.*(total|pagination|page)/i);
    expect(w.writes()).toHaveLength(0);
  });
});

describe('writes under pressure', () => {
  test('the deadline reached mid-apply: exit 6 with a report of what was and was not applied', async () => {
    const world = await given({
      ...threeAdmins(),
      emulator: { faults: [{ method: 'POST', delayMs: 2500, times: 1 }] },
    });
    const r = await world.runJson('apply', [], { SYNC_DEADLINE_SECONDS: '2' });
    expect(r.code).toBe(6);
    expect(r.doc.actions.map((a) => a.result)).toEqual(['applied', 'planned', 'planned']);
    expect(r.doc.actions[0]?.detail).toContain('not verified');
    expect(world.writes()).toHaveLength(1);
  });

  test('a key that may read but not write: exit 5, and the message says which permission', async () => {
    const world = await given({
      ...threeAdmins(),
      emulator: {
        faults: [
          {
            method: 'POST',
            status: 403,
            body: { message: 'You do not have permission to perform this action' },
            times: 5,
          },
        ],
      },
    });
    const r = await world.runJson('apply');
    expect(r.code).toBe(5);
    expect(r.doc.actions[0]?.detail).toMatch(/403.*admin/);
    // A permission error is not this member's problem: the run stops instead of trying the rest.
    expect(r.doc.actions.map((a) => a.result)).toEqual(['failed', 'planned', 'planned']);
    expect(world.emulator.member('u_a')?.projectRoles?.find((p) => p.project === PROJECT)).toBeUndefined();
  });

  test('a write answered 502 after it landed counts as applied after a re-read, and is not sent twice', async () => {
    const world = await given({ ...threeAdmins(), growthbook: { maxRetries: 0 } });
    const w = world;
    // The server stores the write, then the proxy in front of it answers 502.
    let failed = false;
    w.emulator.setOnRequest(async (req) => {
      if (req.method === 'POST' && !failed) {
        failed = true;
        const m = w.emulator.member('u_a');
        if (m)
          w.emulator.setMember({
            ...m,
            globalRole: 'noaccess',
            projectRoles: [{ project: PROJECT, role: 'admin', environments: [] }],
          });
        w.emulator.addFault({ method: 'POST', status: 502, times: 1 });
      }
    });
    const r = await w.runJson('apply');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.actions.every((a) => a.result === 'applied')).toBe(true);
    const writesToA = w.emulator.requests.filter((q) => q.method === 'POST' && q.path.includes('u_a'));
    expect(writesToA.map((q) => q.status)).toEqual([502]);
  });
});
