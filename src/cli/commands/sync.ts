// `plan` and `apply`.
import { ConfigError, ExitCode, exitCodeOf } from '../../errors.js';
import { type CommonOptions, loadContext } from '../context.js';
import { defaultFormat, type OutputFormat, useColor, writeStdout } from '../output.js';
import { renderReport } from '../render-human.js';
import { acquireRunLock } from '../run-lock.js';
import { publishRunMetrics } from '../run-metrics.js';
import { type RunMode, type RunReport, type RunResult, runSync } from '../run-sync.js';
import { readSavedPlan, savedPlanOf, writeSavedPlan } from '../saved-plan.js';
import { watchSignals } from '../signals.js';

export function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return defaultFormat();
  if (value !== 'human' && value !== 'json')
    throw new ConfigError(`--output must be human or json, got "${value}"`);
  return value;
}

export async function printReport(report: RunReport, format: OutputFormat, verbose = false): Promise<void> {
  if (format === 'json') await writeStdout(`${JSON.stringify(report)}\n`);
  else await writeStdout(renderReport(report, { color: useColor(process.stdout), verbose }));
}

export async function syncCommand(mode: RunMode, options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  // On a terminal the table is the output; JSON log lines would bury it.
  const ctx = loadContext(options, format === 'human' && process.stderr.isTTY ? 'warn' : 'info');
  const lock = options.lockFile
    ? acquireRunLock(options.lockFile, {
        runId: ctx.runId,
        onStaleTakeover: (held) =>
          ctx.logger.warn({ lock: options.lockFile, held }, 'took over a stale lock'),
        onReleaseFailure: (error) =>
          ctx.logger.warn({ lock: options.lockFile, err: String(error) }, 'lock not released'),
      })
    : undefined;
  // A signal may end the process from its handler; the lock goes with it.
  const releaseOnExit = () => lock?.release();
  process.once('exit', releaseOnExit);
  const signals = watchSignals((signal) => ctx.logger.warn({ signal }, 'stopped by signal before any write'));
  const startedAt = Date.now();
  let result: RunResult | undefined;
  let exitCode: ExitCode = ExitCode.Internal;
  try {
    ctx.logger.info({ mode, project: ctx.scope.project }, 'run started');
    signals.setApplying(mode === 'apply');
    const savedPlan = options.plan
      ? {
          plan: readSavedPlan(options.plan),
          maxAgeSeconds: ctx.config.safety.maxPlanAgeSeconds,
          now: new Date(),
        }
      : undefined;
    const planStartedAt = new Date(); // a saved plan's age counts from before its sources were read
    result = await runSync({
      runId: ctx.runId,
      mode,
      policy: ctx.policy,
      scope: ctx.scope,
      threshold: ctx.config.safety.threshold,
      overrideThreshold: options.overrideThreshold === true,
      maxSeats: ctx.config.growthbook.maxSeats,
      ...(savedPlan ? { savedPlan } : {}),
      sources: ctx.sources,
      deadline: ctx.deadline,
      logger: ctx.logger,
      stopRequested: signals.requested,
    });
    const stats = ctx.client.stats();
    exitCode =
      signals.requested() && result.exitCode === ExitCode.Ok ? ExitCode.ApplyIncomplete : result.exitCode;
    ctx.logger.info(
      { exit_code: exitCode, growthbook_requests: stats.requests, retries: stats.retries },
      'run finished',
    );
    if (options.out && result.collected) {
      writeSavedPlan(options.out, savedPlanOf(result.report, result.collected.members, planStartedAt));
      ctx.logger.info({ path: options.out }, 'plan saved');
    }
    await printReport(result.report, format, options.verbose);
    return exitCode;
  } catch (error) {
    exitCode = exitCodeOf(error);
    throw error;
  } finally {
    // Only apply runs report: a manual plan with the same configuration must not mask a failing apply.
    if (mode === 'apply') await publishRunMetrics(ctx, startedAt, exitCode, result);
    signals.dispose();
    lock?.release();
    process.off('exit', releaseOnExit);
  }
}
