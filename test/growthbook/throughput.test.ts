// Throughput under GrowthBook's rate limit: 120 changes applied through the real client against the
// emulator's fixed window, shortened from 60 s to 1 s (same 60 requests per window). Client and
// emulator share a fake clock, so the pacing is measured exactly and a busy machine changes nothing;
// scripts/bench-rate-limit.mjs runs the same scenario in real time with the real 60 s window.
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { applyPlan } from '../../src/apply/apply-plan.js';
import type { Action } from '../../src/core/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { createGrowthBookClient } from '../../src/growthbook/client.js';
import { noDeadline } from '../../src/util/deadline.js';
import { fakeClock } from './helpers.js';

const PROJECT = 'prj_throughput';
const KEY = 'secret_admin_throughput';
const WINDOW_MS = 1000;
const MAX = 60;
const CHANGES = 120;

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
});

test(`${CHANGES} changes under a ${MAX}-per-window limit: zero 429s, time within 5 % of the bound`, async () => {
  const clock = fakeClock();
  emulator = await startEmulator({
    now: clock.now,
    seed: {
      apiKeys: [{ key: KEY, role: 'admin' }],
      projects: [{ id: PROJECT, name: 'Throughput' }],
      members: Array.from({ length: CHANGES }, (_, i) => ({
        id: `u_${String(i).padStart(4, '0')}`,
        email: `person${i}@wikimedia.org`,
        globalRole: 'noaccess',
      })),
    },
    rateLimit: { max: MAX, windowMs: WINDOW_MS },
  });
  const client = createGrowthBookClient({
    baseUrl: emulator.url,
    apiKey: KEY,
    requestsPerMinute: MAX,
    rateWindowMs: WINDOW_MS,
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

  const log = emulator.requests;
  const n = log.length;
  const span = (log[n - 1]?.at ?? 0) - (log[0]?.at ?? 0);
  // The N-th request cannot start before floor((N-1)/MAX) windows have passed.
  const bound = Math.floor((n - 1) / MAX) * WINDOW_MS;
  console.log(
    `throughput: ${n} requests, ${outcome.applied} writes, span ${span} ms, bound ${bound} ms, ` +
      `${((span / bound - 1) * 100).toFixed(1)} % over, 429s: ${log.filter((r) => r.status === 429).length}`,
  );

  expect(outcome).toMatchObject({ applied: CHANGES, failed: 0 });
  expect(n).toBe(2 + 2 * CHANGES + 2); // two pages, a read and a write per change, two verify pages
  expect(log.filter((r) => r.status === 429)).toEqual([]);
  expect(client.stats().rateLimited).toBe(0);
  expect(span).toBeGreaterThanOrEqual(bound * 0.95);
  expect(span).toBeLessThanOrEqual(bound * 1.05);
});
