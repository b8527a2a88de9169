// The applier against a scripted in-memory GrowthBook with the real update semantics for the fields
// the sync sends; faults are injected per call.
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { applyPlan, type MemberWriter } from '../../src/apply/apply-plan.js';
import type { Action, Member, RoleUpdate, Scope } from '../../src/core/index.js';
import { GrowthBookHttpError, GrowthBookNetworkError } from '../../src/growthbook/errors.js';
import { createDeadline, noDeadline } from '../../src/util/deadline.js';

const PROJECT = 'prj_w';
const OTHER = 'prj_w2';
const SCOPE: Scope = { globalRole: 'noaccess', emailDomains: [], protectedEmails: [] };
const logger = pino({ level: 'silent' });

const failure = (status: number | undefined, path: string) =>
  status === undefined
    ? new GrowthBookNetworkError('POST', path, 'socket hang up', false, 1)
    : new GrowthBookHttpError('POST', path, status, `answered ${status}`);

type Fault = { call: 'read' | 'write'; nth: number; effect: 'fail-before' | 'fail-after'; status?: number };

function fakeServer(members: Member[], faults: Fault[] = []) {
  const state = new Map(members.map((m) => [m.id, structuredClone(m)]));
  const calls: string[] = [];
  let reads = 0;
  let writes = 0;
  const fault = (call: 'read' | 'write', n: number) => faults.find((f) => f.call === call && f.nth === n);
  const writer: MemberWriter = {
    async listMembers(filter) {
      reads++;
      calls.push(`read ${filter?.userEmail ?? '*'}`);
      const f = fault('read', reads);
      if (f) throw failure(f.status, '/api/v1/members');
      return [...state.values()]
        .filter((m) => !filter?.userEmail || m.email === filter.userEmail)
        .map((m) => structuredClone(m));
    },
    async updateMemberRole(id: string, body: RoleUpdate) {
      writes++;
      calls.push(`write ${id}`);
      const f = fault('write', writes);
      if (f?.effect === 'fail-before') throw failure(f.status, `/api/v1/members/${id}/role`);
      const m = state.get(id);
      if (!m) throw failure(400, `/api/v1/members/${id}/role`);
      state.set(id, {
        ...m,
        globalRole: body.role,
        environments: body.environments,
        projectRoles: body.projectRoles,
      });
      if (f?.effect === 'fail-after') throw failure(f.status, `/api/v1/members/${id}/role`);
      return {};
    },
  };
  return { writer, state, calls };
}

const member = (id: string, role: string | null): Member => ({
  id,
  email: `${id}@wikimedia.org`,
  globalRole: 'noaccess',
  environments: [],
  projectRoles: role ? [{ project: PROJECT, role, environments: [] }] : [],
  managedbyIdp: false,
});

const change = (m: Member, kind: Action['kind'], to: string, project = PROJECT): Action => ({
  kind,
  project,
  email: m.email,
  memberId: m.id,
  uid: m.id,
  from: m.projectRoles.find((p) => p.project === project)?.role ?? 'noaccess',
  to,
  rule: '1',
  ldapGroups: [],
  posixGroups: [],
  reason: '',
  result: 'planned',
});

type Extra = Partial<Parameters<typeof applyPlan>[0]>;

/** Applies `actions` against `server`, planned from `planned` (the members as the plan saw them). */
function applyOn(
  server: ReturnType<typeof fakeServer>,
  actions: Action[],
  planned: Member[],
  extra: Extra = {},
) {
  return applyPlan({
    actions,
    planned: new Map(planned.map((m) => [m.id, m])),
    scope: SCOPE,
    projects: [PROJECT, OTHER],
    client: server.writer,
    deadline: noDeadline,
    logger,
    stopRequested: () => false,
    ...extra,
  });
}

async function apply(members: Member[], actions: Action[], faults: Fault[] = [], extra: Extra = {}) {
  const server = fakeServer(members, faults);
  const outcome = await applyOn(server, actions, members, extra);
  return { ...server, outcome };
}

const roleOf = (state: Map<string, Member>, id: string) =>
  state.get(id)?.projectRoles.find((p) => p.project === PROJECT)?.role;

describe('applyPlan', () => {
  const a = member('a', 'admin');
  const b = member('b', null);

  test('writes in plan order, each after a fresh read, then verifies with one read', async () => {
    const r = await apply([a, b], [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')]);
    expect(r.calls).toEqual(['read a@wikimedia.org', 'write a', 'read b@wikimedia.org', 'write b', 'read *']);
    expect(r.outcome).toMatchObject({ applied: 2, failed: 0, notAttempted: 0, stoppedBy: null });
    expect(roleOf(r.state, 'a')).toBe('noaccess');
    expect(roleOf(r.state, 'b')).toBe('readonly');
  });

  test('a 5xx whose write landed anyway counts as applied after a re-read (no second write)', async () => {
    const r = await apply(
      [b],
      [change(b, 'grant', 'readonly')],
      [{ call: 'write', nth: 1, effect: 'fail-after', status: 502 }],
    );
    expect(r.calls.filter((c) => c.startsWith('write'))).toHaveLength(1);
    expect(r.outcome.applied).toBe(1);
  });

  test('a lost connection before the write landed: re-read proves it, the write is sent once more', async () => {
    const r = await apply(
      [b],
      [change(b, 'grant', 'readonly')],
      [{ call: 'write', nth: 1, effect: 'fail-before' }],
    );
    expect(r.calls).toEqual(['read b@wikimedia.org', 'write b', 'read b@wikimedia.org', 'write b', 'read *']);
    expect(r.outcome.applied).toBe(1);
  });

  test('a 400 is not retried; the run goes on with the next member and reports it', async () => {
    const r = await apply(
      [a, b],
      [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')],
      [{ call: 'write', nth: 1, effect: 'fail-before', status: 400 }],
    );
    expect(r.outcome.actions.map((x) => x.result)).toEqual(['failed', 'applied']);
    expect(r.calls.filter((c) => c === 'write a')).toHaveLength(1);
  });

  test('a 403 stops the run: the rest stays planned', async () => {
    const r = await apply(
      [a, b],
      [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')],
      [{ call: 'write', nth: 1, effect: 'fail-before', status: 403 }],
    );
    expect(r.outcome).toMatchObject({ failed: 1, notAttempted: 1, stoppedBy: 'systemic-error' });
    expect(r.calls).not.toContain('write b');
  });

  test('a member removed since the plan is reported, not written', async () => {
    const server = fakeServer([b]);
    server.state.delete('b');
    const outcome = await applyOn(server, [change(b, 'grant', 'readonly')], [b]);
    expect(outcome.actions[0]).toMatchObject({
      result: 'failed',
      detail: expect.stringContaining('no longer exists'),
    });
    expect(server.calls.some((c) => c.startsWith('write'))).toBe(false);
  });

  test('a stop request before a write leaves it and the rest planned', async () => {
    let asked = 0;
    // Asked before each member's fresh read and again before its write: the third ask is b's first.
    const r = await apply([a, b], [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')], [], {
      stopRequested: () => ++asked > 2,
    });
    expect(r.outcome).toMatchObject({ applied: 1, notAttempted: 1, stoppedBy: 'signal' });
  });

  test('a stop request that comes during the fresh read stops before the write', async () => {
    let asked = 0;
    const r = await apply([a], [change(a, 'revoke', 'noaccess')], [], { stopRequested: () => ++asked > 1 });
    expect(r.outcome).toMatchObject({ applied: 0, notAttempted: 1, stoppedBy: 'signal' });
    expect(r.calls.some((c) => c.startsWith('write'))).toBe(false);
  });

  test('an expired deadline stops before the next request', async () => {
    const r = await apply([a], [change(a, 'revoke', 'noaccess')], [], { deadline: createDeadline(0) });
    expect(r.outcome).toMatchObject({ stoppedBy: 'deadline', notAttempted: 1 });
    expect(r.calls).toEqual([]);
  });

  test('verification catches a write the server did not keep', async () => {
    const server = fakeServer([b]);
    const original = server.writer.updateMemberRole;
    server.writer.updateMemberRole = async (id, body) => {
      await original(id, body);
      const m = server.state.get(id) as Member;
      server.state.set(id, { ...m, projectRoles: [] }); // a concurrent writer's stale array wins
      return {};
    };
    const outcome = await applyOn(server, [change(b, 'grant', 'readonly')], [b]);
    expect(outcome.actions[0]).toMatchObject({
      result: 'failed',
      detail: expect.stringContaining('verification failed'),
    });
  });

  test('a resend after an uncertain write is rebuilt from the re-read: a change to another project made meanwhile is kept', async () => {
    const server = fakeServer([b]);
    const original = server.writer.updateMemberRole;
    let calls = 0;
    server.writer.updateMemberRole = async (id, body) => {
      calls++;
      if (calls === 1) {
        // Someone changes another project while our first POST is lost on the way.
        const m = server.state.get(id) as Member;
        server.state.set(id, {
          ...m,
          projectRoles: [{ project: 'prj_other', role: 'engineer', environments: ['production'] }],
        });
        throw new GrowthBookNetworkError('POST', `/api/v1/members/${id}/role`, 'socket hang up', false, 1);
      }
      return original(id, body);
    };
    const planned = { ...b, projectRoles: [] };
    const outcome = await applyOn(server, [change(b, 'grant', 'readonly')], [planned]);
    expect(outcome.applied).toBe(1);
    expect(server.state.get('b')?.projectRoles).toEqual([
      { project: 'prj_other', role: 'engineer', environments: ['production'] },
      { project: PROJECT, role: 'readonly', environments: [] },
    ]);
  });

  test('a write our own validation refuses fails that member only; the next one is still written', async () => {
    const server = fakeServer([a, b]);
    const original = server.writer.updateMemberRole;
    server.writer.updateMemberRole = async (id, body) => {
      if (id === 'a') throw new TypeError('invalid role update for a: projectRoles.0.project: too short');
      return original(id, body);
    };
    const outcome = await applyOn(
      server,
      [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')],
      [a, b],
    );
    expect(outcome.actions.map((x) => x.result)).toEqual(['failed', 'applied']);
    expect(outcome.stoppedBy).toBeNull();
    expect(server.calls.filter((c) => c === 'read a@wikimedia.org')).toHaveLength(1);
  });

  test('a member changed since the plan (stale) is not written; the others are', async () => {
    const server = fakeServer([a, b]);
    server.state.set('a', { ...a, projectRoles: [{ project: PROJECT, role: 'readonly', environments: [] }] });
    const outcome = await applyOn(
      server,
      [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')],
      [a, b],
    );
    expect(outcome.actions[0]).toMatchObject({ result: 'failed', detail: expect.stringContaining('stale') });
    expect(outcome.actions[1]?.result).toBe('applied');
    expect(server.calls).not.toContain('write a');
  });

  test('the deadline reached before verification: exit as deadline, writes marked not verified', async () => {
    let now = 0;
    const clock = { now: () => now, sleep: async () => {} };
    const deadline = createDeadline(10, clock);
    const server = fakeServer([b]);
    const original = server.writer.updateMemberRole;
    server.writer.updateMemberRole = async (id, body) => {
      const r = await original(id, body);
      now = 20_000; // the write took the rest of the run's time
      return r;
    };
    const outcome = await applyOn(server, [change(b, 'grant', 'readonly')], [b], { deadline });
    expect(outcome.stoppedBy).toBe('deadline');
    expect(outcome.actions[0]).toMatchObject({
      result: 'applied',
      detail: expect.stringContaining('not verified'),
    });
    expect(server.calls.at(-1)).toBe('write b');
  });

  test('a seat budget is counted as writes land: a revoke that fails frees no seat for a grant', async () => {
    const r = await apply(
      [a, b],
      [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')],
      [{ call: 'write', nth: 1, effect: 'fail-before', status: 400 }],
      { seatBudget: { max: 1, now: 1 } },
    );
    expect(r.outcome.actions.map((x) => x.result)).toEqual(['failed', 'planned']);
    expect(r.outcome.actions[1]?.detail).toContain('growthbook.maxSeats is 1');
    expect(r.calls).not.toContain('write b');
  });

  test('a seat freed by a revoke that landed is given to the next grant', async () => {
    const r = await apply([a, b], [change(a, 'revoke', 'noaccess'), change(b, 'grant', 'readonly')], [], {
      seatBudget: { max: 1, now: 1 },
    });
    expect(r.outcome.actions.map((x) => x.result)).toEqual(['applied', 'applied']);
  });
});

describe('several managed projects: one write per member', () => {
  const both = (id: string, here: string | null, there: string | null): Member => ({
    ...member(id, here),
    projectRoles: [
      ...(here ? [{ project: PROJECT, role: here, environments: [] }] : []),
      ...(there ? [{ project: OTHER, role: there, environments: [] }] : []),
      { project: 'prj_unmanaged', role: 'engineer', environments: ['staging'] },
    ],
  });

  test('changes in two projects cost one read and one write carrying both entries', async () => {
    const c = both('c', 'admin', null);
    const server = fakeServer([c]);
    const writes: RoleUpdate[] = [];
    const original = server.writer.updateMemberRole;
    server.writer.updateMemberRole = async (id, body) => {
      writes.push(structuredClone(body));
      return original(id, body);
    };
    const outcome = await applyOn(
      server,
      [change(c, 'downgrade', 'readonly'), change(c, 'grant', 'readonly', OTHER)],
      [c],
    );
    expect(server.calls).toEqual(['read c@wikimedia.org', 'write c', 'read *']);
    expect(outcome).toMatchObject({ applied: 2, failed: 0, writes: 1 });
    expect(writes).toEqual([
      {
        role: 'noaccess',
        environments: [],
        projectRoles: [
          { project: PROJECT, role: 'readonly', environments: [] },
          { project: 'prj_unmanaged', role: 'engineer', environments: ['staging'] },
          { project: OTHER, role: 'readonly', environments: [] },
        ],
      },
    ]);
  });

  test('N managed projects changing for one member still cost one write', async () => {
    const projects = [PROJECT, OTHER, 'prj_w3', 'prj_w4'];
    const c = both('c', 'admin', null);
    const server = fakeServer([c]);
    const outcome = await applyOn(
      server,
      projects.map((p, i) => change(c, i === 0 ? 'revoke' : 'grant', i === 0 ? 'noaccess' : 'readonly', p)),
      [c],
      { projects },
    );
    expect(server.calls).toEqual(['read c@wikimedia.org', 'write c', 'read *']);
    expect(outcome).toMatchObject({ applied: 4, writes: 1 });
    expect(server.state.get('c')?.projectRoles.map((p) => `${p.project}:${p.role}`)).toEqual([
      `${PROJECT}:noaccess`,
      'prj_unmanaged:engineer',
      `${OTHER}:readonly`,
      'prj_w3:readonly',
      'prj_w4:readonly',
    ]);
  });

  test('an entry of the other managed project changed after the plan is kept, not undone', async () => {
    const c = both('c', 'admin', 'readonly');
    const server = fakeServer([c]);
    // Between the plan and the fresh read, someone gives c admin in the other managed project.
    server.state.set('c', both('c', 'admin', 'admin'));
    const outcome = await applyOn(server, [change(c, 'revoke', 'noaccess')], [c]);
    expect(outcome).toMatchObject({ applied: 1, writes: 1 });
    expect(server.state.get('c')?.projectRoles.find((p) => p.project === OTHER)?.role).toBe('admin');
    expect(roleOf(server.state, 'c')).toBe('noaccess');
  });

  test('a change to a project the write changes makes the member stale: nothing written for it', async () => {
    const c = both('c', 'admin', 'readonly');
    const server = fakeServer([c]);
    server.state.set('c', both('c', 'readonly', 'readonly'));
    const outcome = await applyOn(
      server,
      [change(c, 'revoke', 'noaccess'), change(c, 'grant', 'admin', OTHER)],
      [c],
    );
    expect(outcome.actions.map((a) => `${a.project}:${a.result}`)).toEqual([
      `${PROJECT}:failed`,
      `${OTHER}:failed`,
    ]);
    expect(outcome.actions[1]?.detail).toContain('stale');
    expect(server.calls).not.toContain('write c');
  });

  test('a failed verification fails every change of that write', async () => {
    const c = both('c', 'admin', null);
    const server = fakeServer([c]);
    const original = server.writer.updateMemberRole;
    server.writer.updateMemberRole = async (id, body) => {
      await original(id, { ...body, projectRoles: body.projectRoles.filter((p) => p.project !== OTHER) });
      return {};
    };
    const outcome = await applyOn(
      server,
      [change(c, 'revoke', 'noaccess'), change(c, 'grant', 'readonly', OTHER)],
      [c],
    );
    expect(outcome.actions.map((a) => a.result)).toEqual(['failed', 'failed']);
    expect(outcome.actions[0]?.detail).toContain(`has 0 entries for project ${OTHER}`);
  });

  test('seats count people: a grant to a member seated in another project takes no seat', async () => {
    const c = both('c', 'readonly', null);
    const d = member('d', null);
    const r = await apply(
      [c, d],
      // c's unchanged access in the first project is in the plan as a no-op.
      [change(c, 'grant', 'readonly', OTHER), change(d, 'grant', 'readonly'), change(c, 'noop', 'readonly')],
      [],
      { seatBudget: { max: 1, now: 1 } },
    );
    expect(r.outcome.actions.map((x) => `${x.memberId}:${x.kind}:${x.result}`)).toEqual([
      'c:grant:applied',
      'd:grant:planned',
      'c:noop:planned',
    ]);
    expect(r.outcome.actions[1]?.detail).toContain('growthbook.maxSeats is 1');
  });

  test('over budget, a write goes without its grants but still carries its revoke', async () => {
    const c = both('c', 'admin', null);
    const r = await apply(
      [c],
      [change(c, 'downgrade', 'readonly'), change(c, 'grant', 'readonly', OTHER)],
      [],
      {
        seatBudget: { max: 0, now: 1 },
      },
    );
    expect(r.outcome.actions.map((x) => `${x.project}:${x.result}`)).toEqual([
      `${PROJECT}:applied`,
      `${OTHER}:planned`,
    ]);
    expect(r.state.get('c')?.projectRoles.some((p) => p.project === OTHER)).toBe(false);
  });
});
