// The plan as an operator reads it on a terminal: changes first, in the order they are applied.

import {
  ACTION_KINDS,
  type Action,
  type ActionKind,
  isChange,
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

export function renderReport(report: RunReport, options: { color: boolean; verbose?: boolean }): string {
  const style = styler(options.color);
  const kinds = KIND_STYLE(style);
  const out: string[] = [];
  const project = report.projectName ? `${report.project} (${report.projectName})` : report.project;
  out.push(style.bold(`growthbook-ldap-sync ${report.mode} · project ${project} · run ${report.runId}`), '');

  const changes = report.actions.filter(isChange);
  if (changes.length === 0) {
    out.push('No changes: every in-scope member already has the role the sources give them.');
  } else {
    const rows = [['KIND', 'EMAIL', 'UID', 'FROM', 'TO', 'RULE', 'RESULT', 'WHY']];
    for (const a of changes) rows.push(actionRow(a));
    out.push(colorKinds(table(rows, style), kinds));
  }

  const pending = report.actions.filter((a) => a.kind === 'pending');
  if (pending.length > 0) {
    out.push('', style.bold('Pending') + style.dim(' (not written this run)'));
    const why = (a: Action) =>
      a.reason === SEAT_LIMIT ? 'seat-limit (growthbook.maxSeats)' : 'no GrowthBook member yet';
    out.push(
      table(
        [
          ['EMAIL', 'UID', 'TO', 'RULE', 'WHY'],
          ...pending.map((a) => [a.email, a.uid ?? '-', a.to ?? '-', a.rule ?? '-', why(a)]),
        ],
        style,
      ),
    );
  }
  const skips = report.actions.filter((a) => a.kind === 'skip');
  if (skips.length > 0) {
    out.push('', style.bold('Skipped') + style.dim(' (out of scope, never written)'));
    out.push(table([['EMAIL', 'REASON'], ...skips.map((a) => [a.email, a.reason])], style));
  }
  const failed = report.actions.filter((a) => a.result === 'failed');
  if (failed.length > 0) {
    out.push('', style.red(style.bold('Failed')));
    for (const a of failed) out.push(`  ${a.email}: ${a.detail ?? 'failed'}`);
  }
  if (options.verbose) {
    const noops = report.actions.filter((a) => a.kind === 'noop');
    if (noops.length > 0) {
      out.push('', style.bold('Unchanged'));
      out.push(
        table(
          [
            ['EMAIL', 'UID', 'ROLE', 'RULE'],
            ...noops.map((a) => [a.email, a.uid ?? '-', a.to ?? '-', a.rule ?? '-']),
          ],
          style,
        ),
      );
    }
  }

  const s = report.summary;
  out.push(
    '',
    `Summary: ${s.revoke} revoke, ${s.downgrade} downgrade, ${s.upgrade} upgrade, ${s.grant} grant · ` +
      `${s.noop} unchanged, ${s.pending} pending, ${s.skip} skipped`,
  );
  if (report.refused) {
    out.push(style.red(`Saved plan refused, nothing written: ${report.refused}. Make a new plan.`));
  }
  const safety = report.safety;
  const limits = `threshold ${safety.threshold} (population ${safety.population}): ${safety.revoke} revokes, ${safety.downgrade} downgrades`;
  if (safety.tripped) {
    out.push(
      style.red(
        `Circuit breaker TRIPPED, nothing written: ${limits}. Check the sources; rerun with --override-threshold if intended.`,
      ),
    );
  } else if (safety.overridden) {
    out.push(style.yellow(`Circuit breaker exceeded but overridden for this run: ${limits}.`));
  } else {
    out.push(`Safety: ${limits}; OK.`);
  }
  if (report.apply) {
    const a = report.apply;
    const state =
      a.failed === 0 && a.notAttempted === 0
        ? style.green(`Applied and verified ${a.applied} change(s).`)
        : style.red(
            `Apply incomplete: ${a.applied} applied, ${a.failed} failed, ${a.notAttempted} not attempted${a.detail ? ` (${a.detail})` : ''}.`,
          );
    out.push(state);
  } else if (report.mode === 'plan' && changes.length > 0 && !safety.tripped) {
    out.push(style.dim('Nothing was written (plan). Run `apply` to make these changes.'));
  }
  return `${out.join('\n')}\n`;
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
