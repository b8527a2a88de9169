// `demo`: prints the demo's three runs (plan, apply, plan again) for people, or as one JSON document.
import type { RunReport } from '../../core/plan.js';
import { ConfigError, ExitCode } from '../../errors.js';
import { type CombinedWrite, type PreservedFact, runDemo } from '../../reconcile/run-demo.js';

const UNMANAGED_DEMO_PROJECT = 'prj_19g61checkout';

import type { CommonOptions } from '../common-options.js';
import { styler, useColor, writeStdout } from '../output.js';
import { renderReport } from '../render-human.js';
import { parseFormat } from './sync.js';

export async function demoCommand(options: CommonOptions): Promise<ExitCode> {
  if (options.config !== undefined) {
    throw new ConfigError(
      'demo runs against its embedded GrowthBook emulator and the sample data in demo/ and reads no ' +
        'configuration; drop --config, or use plan/apply/check --config to run against real sources',
    );
  }
  // The demo is read by people, piped or not: human unless JSON is asked for.
  const format = parseFormat(options.output ?? 'human');
  const demo = await runDemo({
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    overrideThreshold: options.overrideThreshold === true,
  });
  if (format === 'json') {
    await writeStdout(
      `${JSON.stringify({ plan: demo.plan.report, apply: demo.apply.report, replan: demo.replan.report })}\n`,
    );
  } else {
    const color = useColor(process.stdout);
    const s = styler(color);
    const intro = [
      s.bold('growthbook-ldap-sync demo'),
      `GrowthBook emulator at ${demo.emulatorUrl}, sample LDAP export and data.yaml in demo/.`,
      `Two managed projects, each with its own policy; ${UNMANAGED_DEMO_PROJECT} is not managed.`,
      s.dim(
        `${demo.projects[0]}: gate analytics-privatedata-users; 1 growthbook-admin → admin; 2 growthbook-customelevatedaccess +`,
      ),
      s.dim(
        '  analytics-product-users|analytics-wmde-users|deployment → CustomElevatedAccess; 3 same group alone → readonly;',
      ),
      s.dim('  4 growthbook-readonly → readonly.'),
      s.dim(
        `${demo.projects[1]}: gate analytics-wmde-users; w1 wmde-growthbook-admin → admin; w2 growthbook-readonly → readonly.`,
      ),
      '',
      s.bold('1. plan') + s.dim(' (read-only: what a run would change)'),
      '',
      '',
    ];
    await writeStdout(intro.join('\n'));
    await writeStdout(renderReport(demo.plan.report, { color }));
    await writeStdout(
      `\n${s.bold('2. apply')}${s.dim(' (one write per member, in the order above, each re-read first, then verified)')}\n\n`,
    );
    await writeStdout(renderReport(demo.apply.report, { color }));
    await writeStdout(combinedLines(demo.combined).join('\n'));
    await writeStdout(`\n${s.bold('3. plan again')}\n`);
    const summary = summaryLine(demo.replan.report);
    await writeStdout(
      `${demo.leftOver === 0 ? s.green('Converged: no changes left.') : s.red('NOT converged.')} ${summary}\n` +
        `${demo.replanRequests.total} GrowthBook requests for the converged run, ${demo.replanRequests.writes} writes; ` +
        `${demo.deletes} DELETE calls in the whole demo.\n`,
    );
    await writeStdout(preservedLines(demo.preserved).join('\n'));
  }
  if (demo.plan.exitCode !== ExitCode.Ok) return demo.plan.exitCode;
  if (demo.apply.exitCode !== ExitCode.Ok) return demo.apply.exitCode;
  return demo.leftOver === 0 ? ExitCode.Ok : ExitCode.ApplyIncomplete;
}

/** Members whose changes in several projects went out together, with the POSTs they cost. */
function combinedLines(writes: readonly CombinedWrite[]): string[] {
  const lines = writes.map(
    (w) =>
      `One write for ${w.email}: ${w.changes.map((c) => `${c.kind} in ${c.project}`).join(' and ')} in ${w.posts} POST.`,
  );
  return lines.length > 0 ? ['', ...lines, ''] : [];
}

/** What the writes kept: unmanaged projects' entries as they were, and the pinned global role. */
function preservedLines(facts: readonly PreservedFact[]): string[] {
  const lines = facts.map((f) => {
    if (f.kind === 'kept') {
      const envs = f.environments.join(', ') || 'all environments';
      return `Other projects untouched: ${f.email} keeps ${f.role} in ${f.project} (${envs}).`;
    }
    if (f.kind === 'changed') return `Other project CHANGED for ${f.email} in ${f.project}!`;
    return `Global role pinned: ${f.email} ${f.from} → ${f.to}.`;
  });
  return lines.length > 0 ? [...lines, ''] : [];
}

function summaryLine(report: RunReport): string {
  const s = report.summary;
  return `${s.noop} unchanged, ${s.pending} pending, ${s.skip} skipped.`;
}
