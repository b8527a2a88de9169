// `demo`: the whole pipeline against the embedded GrowthBook emulator and a sample directory —
// plan, apply, then plan again to show the run converged. Needs no setup and touches nothing real.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../config/schema.js';
import { type Emulator, type EmulatorSeed, type SeedMember, startEmulator } from '../../emulator/index.js';
import { ExitCode, SyncError } from '../../errors.js';
import { createLogger } from '../../observe/logger.js';
import { buildContext, type CommonOptions, resolveLogLevel } from '../context.js';
import { styler, useColor, writeStdout } from '../output.js';
import { renderReport } from '../render-human.js';
import { type RunReport, runSync } from '../run-sync.js';
import { parseFormat } from './sync.js';

const DEMO_DIR = new URL('../../../demo/', import.meta.url);
const DEMO_PROJECT = 'prj_2wikimedia0demo';
// The demo paces at 600/min against an emulator limited to 600/min so it finishes in seconds;
// production keeps GrowthBook's 60/min.
const DEMO_RATE = 600;

export async function demoCommand(options: CommonOptions): Promise<ExitCode> {
  // The demo is read by people, piped or not: human unless JSON is asked for.
  const format = parseFormat(options.output ?? 'human');
  const runId = randomUUID();
  const level = resolveLogLevel(options.logLevel, 'warn');
  const logger = createLogger({ runId, level });
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
        project: DEMO_PROJECT,
        emailDomains: ['wikimedia.org'],
        requestsPerMinute: DEMO_RATE,
      },
      ldap: {
        file: fileURLToPath(new URL('directory.ldif', DEMO_DIR)),
        peopleBase: 'ou=people,dc=wikimedia,dc=org',
        groupBase: 'ou=groups,dc=wikimedia,dc=org',
      },
      posix: { file: fileURLToPath(new URL('data.yaml', DEMO_DIR)) },
    });
    if (!parsed.ok) throw new Error(`demo configuration is invalid: ${JSON.stringify(parsed.issues)}`);
    const ctx = buildContext(parsed.config, { logger, runId, apiKey, env: {} });
    const run = (mode: 'plan' | 'apply', id: string) =>
      runSync({
        runId: id,
        mode,
        policy: ctx.policy,
        scope: ctx.scope,
        threshold: parsed.config.safety.threshold,
        overrideThreshold: options.overrideThreshold === true,
        sources: ctx.sources,
        deadline: ctx.deadline,
        logger: id === runId ? logger : createLogger({ runId: id, level }),
        stopRequested: () => false,
      });

    const first = await run('plan', runId);
    const applied = await run('apply', randomUUID());
    const requestsBefore = emulator.requests.length;
    const second = await run('plan', randomUUID());
    const converged = second.report.actions.filter((a) =>
      ['revoke', 'downgrade', 'upgrade', 'grant'].includes(a.kind),
    );
    const secondRequests = emulator.requests.slice(requestsBefore);
    const deletes = emulator.requests.filter((r) => r.method === 'DELETE').length;

    if (format === 'json') {
      await writeStdout(
        `${JSON.stringify({ plan: first.report, apply: applied.report, replan: second.report })}\n`,
      );
    } else {
      const color = useColor(process.stdout);
      const s = styler(color);
      const intro = [
        s.bold('growthbook-ldap-sync demo'),
        `GrowthBook emulator at ${emulator.url} (project ${DEMO_PROJECT}), sample LDAP export and data.yaml in demo/.`,
        s.dim(
          'Policy: gate analytics-privatedata-users; 1 growthbook-admin → admin; 2 growthbook-customelevatedaccess +',
        ),
        s.dim(
          'analytics-product-users|analytics-wmde-users|deployment → CustomElevatedAccess; 3 same group alone → readonly;',
        ),
        s.dim('4 growthbook-readonly → readonly.'),
        '',
        s.bold('1. plan') + s.dim(' (read-only: what a run would change)'),
        '',
        '',
      ];
      await writeStdout(intro.join('\n'));
      await writeStdout(renderReport(first.report, { color }));
      await writeStdout(
        `\n${s.bold('2. apply')}${s.dim(' (serial writes in the order above, each re-read first, then verified)')}\n\n`,
      );
      await writeStdout(renderReport(applied.report, { color }));
      await writeStdout(`\n${s.bold('3. plan again')}\n`);
      const summary = summaryLine(second.report);
      await writeStdout(
        `${converged.length === 0 ? s.green('Converged: no changes left.') : s.red('NOT converged.')} ${summary}\n` +
          `${secondRequests.length} GrowthBook requests for the converged run, ${secondRequests.filter((r) => r.method === 'POST').length} writes; ` +
          `${deletes} DELETE calls in the whole demo.\n`,
      );
      await writeStdout(preservedLines(seed.members, emulator, DEMO_PROJECT).join('\n'));
    }
    if (first.exitCode !== ExitCode.Ok) return first.exitCode;
    if (applied.exitCode !== ExitCode.Ok) return applied.exitCode;
    return converged.length === 0 ? ExitCode.Ok : ExitCode.ApplyIncomplete;
  } catch (error) {
    if (!(error instanceof SyncError)) logger.error({ err: error }, 'demo failed');
    throw error;
  } finally {
    await emulator.close();
  }
}

/** What the writes kept: other projects' entries as they were, and the pinned global role. */
function preservedLines(before: SeedMember[], emulator: Emulator, project: string): string[] {
  const lines: string[] = [];
  for (const seed of before) {
    const now = emulator.member(seed.id);
    if (!now) continue;
    for (const entry of seed.projectRoles ?? []) {
      if (entry.project === project) continue;
      const kept = now.projectRoles?.find((p) => p.project === entry.project);
      const envs = (kept?.environments ?? []).join(', ') || 'all environments';
      lines.push(
        kept && kept.role === entry.role
          ? `Other projects untouched: ${seed.email} keeps ${kept.role} in ${entry.project} (${envs}).`
          : `Other project CHANGED for ${seed.email} in ${entry.project}!`,
      );
    }
    if (seed.globalRole !== now.globalRole) {
      lines.push(`Global role pinned: ${seed.email} ${seed.globalRole} → ${now.globalRole}.`);
    }
  }
  return lines.length > 0 ? [...lines, ''] : [];
}

function summaryLine(report: RunReport): string {
  const s = report.summary;
  return `${s.noop} unchanged, ${s.pending} pending, ${s.skip} skipped.`;
}
