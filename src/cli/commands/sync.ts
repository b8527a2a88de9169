// `plan` and `apply`: flags in, the run's report out.

import type { RunMode, RunReport } from '../../core/plan.js';
import { ConfigError, type ExitCode } from '../../errors.js';
import { runOnce } from '../../reconcile/run-once.js';
import type { CommonOptions } from '../common-options.js';
import { defaultFormat, type OutputFormat, useColor, writeStdout } from '../output.js';
import { renderReport } from '../render-human.js';

export function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return defaultFormat();
  if (value !== 'human' && value !== 'json')
    throw new ConfigError(`--output must be human or json, got "${value}"`);
  return value;
}

/** On a terminal the table is the output; JSON log lines would bury it. */
export const fallbackLevel = (format: OutputFormat) =>
  format === 'human' && process.stderr.isTTY ? 'warn' : 'info';

export async function printReport(report: RunReport, format: OutputFormat, verbose = false): Promise<void> {
  if (format === 'json') await writeStdout(`${JSON.stringify(report)}\n`);
  else await writeStdout(renderReport(report, { color: useColor(process.stdout), verbose }));
}

export async function syncCommand(mode: RunMode, options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  const { exitCode } = await runOnce({
    mode,
    configPath: options.config,
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    fallbackLevel: fallbackLevel(format),
    forPeople: format === 'human',
    overrideThreshold: options.overrideThreshold === true,
    out: options.out,
    plan: options.plan,
    lockFile: options.lockFile,
    publishMetrics: options.publishMetrics === true,
    // Printed inside the run, so that a report that cannot be written still shows in the metrics.
    print: (report) => printReport(report, format, options.verbose),
  });
  return exitCode;
}
