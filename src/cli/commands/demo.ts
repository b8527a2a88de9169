// `demo`: prints the demo's three runs (plan, apply, plan again) for people, or as one JSON document.
import type { RunReport } from '../../core/plan.js';
import { ExitCode } from '../../errors.js';
import { type PreservedFact, runDemo } from '../../reconcile/run-demo.js';
import type { CommonOptions } from '../common-options.js';
import { styler, useColor, writeStdout } from '../output.js';
import { renderReport } from '../render-human.js';
import { parseFormat } from './sync.js';

export async function demoCommand(options: CommonOptions): Promise<ExitCode> {
  // The demo is read by people, piped or not: human unless JSON is asked for.
  const format = parseFormat(options.output ?? 'human');
  const demo = await runDemo({
    logLevel: options.logLevel,
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
      `GrowthBook emulator at ${demo.emulatorUrl} (project ${demo.project}), sample LDAP export and data.yaml in demo/.`,
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
    await writeStdout(renderReport(demo.plan.report, { color }));
    await writeStdout(
      `\n${s.bold('2. apply')}${s.dim(' (serial writes in the order above, each re-read first, then verified)')}\n\n`,
    );
    await writeStdout(renderReport(demo.apply.report, { color }));
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

/** What the writes kept: other projects' entries as they were, and the pinned global role. */
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
