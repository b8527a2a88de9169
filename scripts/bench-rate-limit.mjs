#!/usr/bin/env node
// Benchmark: apply N grants through the real client against the emulator's rate limit and print
// requests, 429s, wall time and the bound the window implies. Defaults to GrowthBook's real window
// (60 requests per 60 s), which takes about four minutes for 120 changes.
//   node scripts/bench-rate-limit.mjs [--changes 120] [--window-ms 60000] [--max 60]
// Needs `npm run build` (it runs the compiled code in dist/).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { applyPlan } from '../dist/apply/apply-plan.js';
import { startEmulator } from '../dist/emulator/index.js';
import { createGrowthBookClient } from '../dist/growthbook/client.js';
import { noDeadline } from '../dist/util/deadline.js';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '120' },
    'window-ms': { type: 'string', default: '60000' },
    max: { type: 'string', default: '60' },
  },
});
const changes = Number(values.changes);
const windowMs = Number(values['window-ms']);
const max = Number(values.max);
const project = 'prj_bench';
const key = 'secret_admin_bench';

const emulator = await startEmulator({
  seed: {
    apiKeys: [{ key, role: 'admin' }],
    projects: [{ id: project, name: 'Bench' }],
    members: Array.from({ length: changes }, (_, i) => ({
      id: `u_${String(i).padStart(5, '0')}`,
      email: `person${i}@wikimedia.org`,
      globalRole: 'noaccess',
    })),
  },
  rateLimit: { max, windowMs },
});
try {
  const client = createGrowthBookClient({
    baseUrl: emulator.url,
    apiKey: key,
    requestsPerMinute: max,
    rateWindowMs: windowMs,
  });
  const started = performance.now();
  const members = await client.listMembers();
  const outcome = await applyPlan({
    actions: members.map((m) => ({
      kind: 'grant',
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
    })),
    planned: new Map(members.map((m) => [m.id, m])),
    scope: { project, globalRole: 'noaccess', emailDomains: [], protectedEmails: [] },
    client,
    deadline: noDeadline,
    logger: pino({ level: 'silent' }),
    stopRequested: () => false,
  });
  const wall = performance.now() - started;
  const n = emulator.requests.length;
  const bound = Math.floor((n - 1) / max) * windowMs;
  const tooMany = emulator.requests.filter((r) => r.status === 429).length;
  console.log(
    JSON.stringify({
      changes,
      window_ms: windowMs,
      max_per_window: max,
      requests: n,
      applied: outcome.applied,
      failed: outcome.failed,
      responses_429: tooMany,
      wall_ms: Math.round(wall),
      bound_ms: bound,
      over_bound_percent: Number(((wall / bound - 1) * 100).toFixed(2)),
    }),
  );
} finally {
  await emulator.close();
}
