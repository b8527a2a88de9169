// A member's fresh read and its write are one paced unit: the rate budget for both is taken before
// the read, so no pacing wait sits between them, where a change to another project could land and
// then be overwritten by a write built from the older read.
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { applyPlan } from '../../src/apply/apply-plan.js';
import type { Action } from '../../src/core/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { createGrowthBookClient } from '../../src/growthbook/client.js';
import { noDeadline } from '../../src/util/deadline.js';
import { fakeClock } from '../growthbook/helpers.js';

const PROJECT = 'prj_gap';
const KEY = 'secret_admin_gap';
const CHANGES = 12;
const RPM = 60; // GrowthBook's default: one request a second once the burst is spent

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
});

test('at 60 requests/minute the fresh read and the write go back to back, with no pacing wait between', async () => {
  const clock = fakeClock();
  // The time each request reached the server, on the client's clock: it only moves when the
  // client sleeps, so any pacing wait between a read and its write shows as a difference.
  const arrivals: { method: string; email: string | undefined; at: number; realAt: number }[] = [];
  emulator = await startEmulator({
    seed: {
      apiKeys: [{ key: KEY, role: 'admin' }],
      projects: [{ id: PROJECT, name: 'Gap' }],
      members: Array.from({ length: CHANGES }, (_, i) => ({
        id: `u_${String(i).padStart(4, '0')}`,
        email: `person${i}@wikimedia.org`,
        globalRole: 'noaccess',
      })),
    },
    rateLimit: { max: 100_000, windowMs: 60_000 },
    onRequest: (req) => {
      const email = req.query.userEmail;
      arrivals.push({
        method: req.method,
        email: typeof email === 'string' ? email : undefined,
        at: clock.now(),
        realAt: req.at,
      });
    },
  });
  const client = createGrowthBookClient({
    baseUrl: emulator.url,
    apiKey: KEY,
    requestsPerMinute: RPM,
    clock,
  });
  const members = await client.listMembers();
  const actions: Action[] = members.map((m) => ({
    kind: 'grant',
    project: PROJECT,
    email: m.email,
    memberId: m.id,
    uid: null,
    from: 'noaccess',
    to: 'readonly',
    rule: '4',
    ldapGroups: [],
    posixGroups: [],
    reason: '',
    result: 'planned',
  }));
  arrivals.length = 0;
  const outcome = await applyPlan({
    actions,
    planned: new Map(members.map((m) => [m.id, m])),
    scope: { globalRole: 'noaccess', emailDomains: [], protectedEmails: [] },
    projects: [PROJECT],
    client,
    deadline: noDeadline,
    logger: pino({ level: 'silent' }),
    stopRequested: () => false,
  });
  expect(outcome).toMatchObject({ applied: CHANGES, failed: 0 });

  const reads = arrivals.filter((a) => a.method === 'GET' && a.email !== undefined);
  const writes = arrivals.filter((a) => a.method === 'POST');
  expect(reads).toHaveLength(CHANGES);
  expect(writes).toHaveLength(CHANGES);
  const gaps = reads.map((read, i) => (writes[i]?.at ?? Number.NaN) - read.at);
  const realGaps = reads.map((read, i) => (writes[i]?.realAt ?? Number.NaN) - read.realAt);
  console.log(`read→write gaps: paced ${gaps.join(',')} ms; real ${realGaps.join(',')} ms`);
  expect(gaps).toEqual(reads.map(() => 0));
  // The pair still spends two requests of the budget: units are two intervals apart once the
  // initial burst is used up.
  const starts = reads.map((r) => r.at);
  const spacing = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
  expect(spacing.slice(4).every((ms) => ms >= 2000)).toBe(true);
});
