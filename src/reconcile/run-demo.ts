// `demo`: the whole pipeline against the embedded GrowthBook emulator and a sample directory —
// plan, apply, then plan again to show the run converged. Two managed projects with different
// policies, one project left unmanaged. Needs no setup and touches nothing real.
// The emulator is loaded with this module only, so no other command carries it.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY, parseConfig } from '../config/schema.js';
import { isChange, type RunMode } from '../core/plan.js';
import { type Emulator, type EmulatorSeed, type SeedMember, startEmulator } from '../emulator/index.js';
import { createLogger } from '../observe/logger.js';
import { setRunLogger } from '../observe/run-logger.js';
import { buildContext, resolveLogFormat, resolveLogLevel } from './context.js';
import { runOptionsOf } from './run-options.js';
import { type RunResult, runSync } from './run-sync.js';

const DEMO_DIR = new URL('../../demo/', import.meta.url);
export const DEMO_PROJECT = 'prj_2wikimedia0demo';
export const WMDE_PROJECT = 'prj_2wmde0demo';
/** WMDE's own access rules: its own gate group, its own admin group, readonly from the shared group. */
export const WMDE_POLICY = {
  gate: ['analytics-wmde-users'],
  rules: [
    { id: 'w1', ldapGroup: 'wmde-growthbook-admin', role: 'admin' },
    { id: 'w2', ldapGroup: 'growthbook-readonly', role: 'readonly' },
  ],
  rank: ['noaccess', 'readonly', 'admin'],
};
const MANAGED = [DEMO_PROJECT, WMDE_PROJECT];
// The demo paces at 600/min against an emulator limited to 600/min so it finishes in seconds;
// production keeps GrowthBook's 60/min.
const DEMO_RATE = 600;

/** What the writes kept: another project's entry as it was (or not), and the pinned global role. */
export type PreservedFact =
  | { kind: 'kept'; email: string; project: string; role: string; environments: string[] }
  | { kind: 'changed'; email: string; project: string }
  | { kind: 'pinned'; email: string; from: string; to: string };

/** A member whose changes in several managed projects went out in one write. */
export interface CombinedWrite {
  email: string;
  changes: { project: string; kind: string }[];
  /** The POST requests the emulator received for this member during the apply. */
  posts: number;
}

export interface DemoResult {
  emulatorUrl: string;
  project: string;
  /** The managed projects, in configuration order. */
  projects: string[];
  /** Members whose changes spanned several projects, and the writes they cost. */
  combined: CombinedWrite[];
  plan: RunResult;
  apply: RunResult;
  replan: RunResult;
  /** Changes the second plan still finds: none when the run converged. */
  leftOver: number;
  replanRequests: { total: number; writes: number };
  deletes: number;
  preserved: PreservedFact[];
}

export async function runDemo(options: {
  logLevel?: string | undefined;
  logFormat?: string | undefined;
  overrideThreshold?: boolean;
}) {
  const runId = randomUUID();
  const level = resolveLogLevel(options.logLevel, 'warn');
  const format = resolveLogFormat(options.logFormat);
  const logger = createLogger({ runId, level, format });
  setRunLogger(logger);
  const apiKey = `secret_admin_demo${randomBytes(12).toString('hex')}`;
  const seed = JSON.parse(readFileSync(new URL('growthbook-seed.json', DEMO_DIR), 'utf8')) as Omit<
    EmulatorSeed,
    'apiKeys'
  >;
  const emulator = await startEmulator({
    seed: { ...seed, apiKeys: [{ key: apiKey, role: 'admin' }] },
    rateLimit: { max: DEMO_RATE, windowMs: 60_000 },
  });
  try {
    const parsed = parseConfig({
      growthbook: {
        url: emulator.url,
        emailDomains: ['wikimedia.org'],
        requestsPerMinute: DEMO_RATE,
      },
      projects: [
        { id: DEMO_PROJECT, policy: DEFAULT_POLICY },
        { id: WMDE_PROJECT, policy: WMDE_POLICY },
      ],
      ldap: {
        file: fileURLToPath(new URL('directory.ldif', DEMO_DIR)),
        peopleBase: 'ou=people,dc=wikimedia,dc=org',
        groupBase: 'ou=groups,dc=wikimedia,dc=org',
      },
      posix: { file: fileURLToPath(new URL('data.yaml', DEMO_DIR)) },
    });
    if (!parsed.ok) throw new Error(`demo configuration is invalid: ${JSON.stringify(parsed.issues)}`);
    const ctx = buildContext(parsed.config, { logger, runId, apiKey, env: {} });
    const run = (mode: RunMode, id: string) =>
      runSync(
        runOptionsOf(ctx, {
          mode,
          runId: id,
          logger: id === runId ? logger : createLogger({ runId: id, level, format }),
          overrideThreshold: options.overrideThreshold === true,
        }),
      );

    const plan = await run('plan', runId);
    const applyStart = emulator.requests.length;
    const apply = await run('apply', randomUUID());
    const applyRequests = emulator.requests.slice(applyStart);
    const requestsBefore = emulator.requests.length;
    const replan = await run('plan', randomUUID());
    const replanRequests = emulator.requests.slice(requestsBefore);
    const result: DemoResult = {
      emulatorUrl: emulator.url,
      project: DEMO_PROJECT,
      projects: MANAGED,
      combined: combinedWrites(apply, applyRequests),
      plan,
      apply,
      replan,
      leftOver: replan.report.actions.filter(isChange).length,
      replanRequests: {
        total: replanRequests.length,
        writes: replanRequests.filter((r) => r.method === 'POST').length,
      },
      deletes: emulator.requests.filter((r) => r.method === 'DELETE').length,
      preserved: preservedFacts(seed.members, emulator, MANAGED),
    };
    return result;
  } finally {
    await emulator.close();
  }
}

function combinedWrites(apply: RunResult, requests: Emulator['requests']): CombinedWrite[] {
  const byMember = new Map<string, CombinedWrite>();
  for (const a of apply.report.actions) {
    if (a.result !== 'applied' || a.memberId === null) continue;
    const path = `/api/v1/members/${a.memberId}/role`;
    const entry = byMember.get(a.memberId) ?? {
      email: a.email,
      changes: [],
      posts: requests.filter((r) => r.method === 'POST' && r.path === path).length,
    };
    entry.changes.push({ project: a.project, kind: a.kind });
    byMember.set(a.memberId, entry);
  }
  return [...byMember.values()].filter((w) => w.changes.length > 1);
}

/** What the writes kept: unmanaged projects' entries as they were, and the pinned global role. */
function preservedFacts(
  before: SeedMember[],
  emulator: Emulator,
  managed: readonly string[],
): PreservedFact[] {
  const facts: PreservedFact[] = [];
  for (const seed of before) {
    const now = emulator.member(seed.id);
    if (!now) continue;
    for (const entry of seed.projectRoles ?? []) {
      if (managed.includes(entry.project)) continue;
      const kept = now.projectRoles?.find((p) => p.project === entry.project);
      facts.push(
        kept && kept.role === entry.role
          ? {
              kind: 'kept',
              email: seed.email,
              project: entry.project,
              role: kept.role,
              environments: kept.environments ?? [],
            }
          : { kind: 'changed', email: seed.email, project: entry.project },
      );
    }
    if (seed.globalRole !== now.globalRole) {
      facts.push({ kind: 'pinned', email: seed.email, from: seed.globalRole, to: now.globalRole });
    }
  }
  return facts;
}
