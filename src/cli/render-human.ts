// The plan as an operator reads it on a terminal: each managed project's changes, in the order they
// are applied, then what is not written, then the totals and the breaker.

import { groupWrites } from '../core/group-writes.js';
import {
  ACTION_KINDS,
  type Action,
  type ActionKind,
  isChange,
  type ProjectReport,
  type RunReport,
  SEAT_LIMIT,
} from '../core/plan.js';
import { styler } from './output.js';

type Style = ReturnType<typeof styler>;

function table(rows: string[][], style: Style): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r, n) => {
      const line = r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
      return n === 0 ? style.dim(line) : line;
    })
    .join('\n');
}

const KIND_STYLE = (style: Style): Record<ActionKind, (t: string) => string> => ({
  revoke: style.red,
  downgrade: style.yellow,
  upgrade: style.cyan,
  grant: style.green,
  pending: style.dim,
  skip: style.dim,
  noop: style.dim,
});

const projectLabel = (p: { id: string; name?: string }) => (p.name ? `${p.id} (${p.name})` : p.id);

export function renderReport(report: RunReport, options: { color: boolean; verbose?: boolean }): string {
  const style = styler(options.color);
  const kinds = KIND_STYLE(style);
  const out: string[] = [];
  const several = report.projects.length > 1;
  const title = several
    ? `${report.projects.length} managed projects`
    : `project ${projectLabel(report.projects[0] ?? { id: report.project })}`;
  out.push(style.bold(`growthbook-ldap-sync ${report.mode} · ${title} · run ${report.runId}`));

  const writeNumber = new Map(groupWrites(report.actions).map((w, i) => [w.memberId, i + 1]));
  // One section per managed project: its changes, its summary, its breaker.
  for (const project of report.projects) {
    const changes = report.actions.filter((a) => a.project === project.id && isChange(a));
    out.push('');
    if (several) out.push(style.bold(`Project ${projectLabel(project)}`));
    if (changes.length === 0) {
      out.push(
        several
          ? "No changes: every in-scope member already has the role this project's policy gives them."
          : 'No changes: every in-scope member already has the role the sources give them.',
      );
    } else {
      // With several projects, WRITE numbers the member's one write, shared by all its projects.
      const rows = [
        ['KIND', ...(several ? ['WRITE'] : []), 'EMAIL', 'UID', 'FROM', 'TO', 'RULE', 'RESULT', 'WHY'],
      ];
      for (const a of changes) {
        const [kind = '', ...rest] = actionRow(a);
        rows.push([kind, ...(several ? [`#${writeNumber.get(a.memberId ?? '') ?? '?'}`] : []), ...rest]);
      }
      out.push(colorKinds(table(rows, style), kinds));
    }
    if (several) {
      out.push(style.dim(`${summaryText(project.summary)} · ${safetyText(project)}`));
      if (project.safety.tripped) out.push(style.red(`Circuit breaker TRIPPED in ${project.id}.`));
    }
  }

  const projectColumn = (a: Action) => (several ? [a.project] : []);
  const projectHeader = several ? ['PROJECT'] : [];
  const pending = report.actions.filter((a) => a.kind === 'pending');
  if (pending.length > 0) {
    out.push('', style.bold('Pending') + style.dim(' (not written this run)'));
    const why = (a: Action) =>
      a.reason === SEAT_LIMIT ? 'seat-limit (growthbook.maxSeats)' : 'no GrowthBook member yet';
    out.push(
      table(
        [
          [...projectHeader, 'EMAIL', 'UID', 'TO', 'RULE', 'WHY'],
          ...pending.map((a) => [
            ...projectColumn(a),
            a.email,
            a.uid ?? '-',
            a.to ?? '-',
            a.rule ?? '-',
            why(a),
          ]),
        ],
        style,
      ),
    );
  }
  // A member is skipped in every managed project for one reason: listed once.
  const skips = report.actions
    .filter((a) => a.kind === 'skip')
    .filter((a, i, all) => all.findIndex((b) => b.kind === 'skip' && b.memberId === a.memberId) === i);
  if (skips.length > 0) {
    out.push('', style.bold('Skipped') + style.dim(' (out of scope, never written)'));
    out.push(table([['EMAIL', 'REASON'], ...skips.map((a) => [a.email, a.reason])], style));
  }
  const blocked = report.actions.filter((a) => a.blockedBy);
  if (blocked.length > 0) {
    // Not one more failure among others: these never land until a person fixes another project.
    out.push('', style.red(style.bold('Blocked by a deleted role in another project (fix in GrowthBook)')));
    for (const a of blocked) {
      out.push(
        `  ${a.kind.toUpperCase()} ${a.email}: role "${a.blockedBy?.role}" in project ${a.blockedBy?.project}`,
      );
    }
  }
  const failed = report.actions.filter((a) => a.result === 'failed' && !a.blockedBy);
  if (failed.length > 0) {
    out.push('', style.red(style.bold('Failed')));
    for (const a of failed)
      out.push(`  ${a.email}${several ? ` in ${a.project}` : ''}: ${a.detail ?? 'failed'}`);
  }
  if (options.verbose) {
    const noops = report.actions.filter((a) => a.kind === 'noop');
    if (noops.length > 0) {
      out.push('', style.bold('Unchanged'));
      out.push(
        table(
          [
            [...projectHeader, 'EMAIL', 'UID', 'ROLE', 'RULE'],
            ...noops.map((a) => [...projectColumn(a), a.email, a.uid ?? '-', a.to ?? '-', a.rule ?? '-']),
          ],
          style,
        ),
      );
    }
  }

  out.push('', `${several ? 'Total' : 'Summary'}: ${summaryText(report.summary)}`);
  if (report.refused) {
    out.push(style.red(`Saved plan refused, nothing written: ${report.refused}. Make a new plan.`));
  }
  const safety = report.safety;
  const tripped = report.projects.filter((p) => p.safety.tripped).map((p) => p.id);
  const overridden = report.projects.filter((p) => p.safety.overridden).map((p) => p.id);
  if (safety.tripped) {
    const where = several ? ` in ${tripped.join(', ')}` : '';
    const limits = several ? '' : `: ${safetyText(report.projects[0] as ProjectReport)}`;
    out.push(
      style.red(
        `Circuit breaker TRIPPED${where}, nothing written in any project${limits}. Check the sources; rerun with --override-threshold if intended.`,
      ),
    );
  } else if (safety.overridden) {
    const where = several ? ` in ${overridden.join(', ')}` : '';
    const limits = several ? '' : `: ${safetyText(report.projects[0] as ProjectReport)}`;
    out.push(style.yellow(`Circuit breaker exceeded${where} but overridden for this run${limits}.`));
  } else {
    out.push(
      several
        ? 'Safety: every project within its threshold; OK.'
        : `Safety: ${safetyText(report.projects[0] as ProjectReport)}; OK.`,
    );
  }
  const anyChange = report.actions.some(isChange);
  if (report.apply) {
    const a = report.apply;
    const writes = several ? ` in ${a.writes} write(s)` : '';
    const state =
      a.failed === 0 && a.notAttempted === 0
        ? style.green(`Applied and verified ${a.applied} change(s)${writes}.`)
        : style.red(
            `Apply incomplete: ${a.applied} applied, ${a.failed} failed, ${a.notAttempted} not attempted${a.detail ? ` (${a.detail})` : ''}.`,
          );
    out.push(state);
  } else if (report.mode === 'plan' && anyChange && !safety.tripped) {
    const members = new Set(report.actions.filter(isChange).map((a) => a.memberId)).size;
    const writes = several ? ` (${members} write(s), one per member)` : '';
    out.push(style.dim(`Nothing was written (plan). Run \`apply\` to make these changes${writes}.`));
  }
  return `${out.join('\n')}\n`;
}

function summaryText(s: RunReport['summary']): string {
  return (
    `${s.revoke} revoke, ${s.downgrade} downgrade, ${s.upgrade} upgrade, ${s.grant} grant · ` +
    `${s.noop} unchanged, ${s.pending} pending, ${s.skip} skipped`
  );
}

function safetyText(p: ProjectReport): string {
  const safety = p.safety;
  return `threshold ${safety.threshold} (population ${safety.population}): ${safety.revoke} revokes, ${safety.downgrade} downgrades`;
}

function actionRow(a: Action): string[] {
  return [
    a.kind,
    a.email,
    a.uid ?? '-',
    a.from ?? '-',
    a.to ?? '-',
    a.rule ?? '-',
    a.result,
    a.detail ?? a.reason,
  ];
}

function colorKinds(text: string, kinds: Record<ActionKind, (t: string) => string>): string {
  return text
    .split('\n')
    .map((line) => {
      const kind = ACTION_KINDS.find((k) => k === line.split(' ')[0]);
      return kind ? kinds[kind](kind) + line.slice(kind.length) : line;
    })
    .join('\n');
}
