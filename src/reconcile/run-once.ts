// `plan` and `apply` as one operation: load the configuration, take the lock, watch for signals,
// run the sync, save the plan, publish metrics, release everything. The command line only parses
// its flags into a RunRequest and prints the report this returns.
import { savedPlanOf } from '../core/plan.js';
import { ExitCode, exitCodeOf, OutputError } from '../errors.js';
import { acquireRunLock } from '../lock/run-lock.js';
import { type ContextRequest, loadContext } from './context.js';
import { publishRunMetrics } from './run-metrics.js';
import { runOptionsOf } from './run-options.js';
import { type RunMode, type RunReport, type RunResult, runSync } from './run-sync.js';
import { readSavedPlan, writeSavedPlan } from './saved-plan.js';
import { installSignalHandlers, sayThrough, stopRequested, stopUrgently, writesBegin } from './signals.js';

export interface RunRequest extends ContextRequest {
  mode: RunMode;
  overrideThreshold?: boolean;
  /** plan --out FILE */
  out?: string | undefined;
  /** apply --plan FILE */
  plan?: string | undefined;
  /** --lock-file PATH */
  lockFile?: string | undefined;
  /** plan --publish-metrics: a plan publishes its metrics as an apply does (a scheduled dry run). */
  publishMetrics?: boolean;
  /** Delivers the report (stdout) before the metrics are published; may throw OutputError. */
  print?: (report: RunReport) => Promise<void>;
}

export async function runOnce(request: RunRequest): Promise<{ report: RunReport; exitCode: ExitCode }> {
  const { mode } = request;
  const ctx = loadContext(request);
  const lockFile = request.lockFile;
  const lock = lockFile
    ? acquireRunLock(lockFile, {
        runId: ctx.runId,
        onStaleTakeover: (held) => ctx.logger.warn({ lock: lockFile, held }, 'took over a stale lock'),
        onReleaseFailure: (error) =>
          ctx.logger.warn({ lock: lockFile, err: String(error) }, 'lock not released'),
      })
    : undefined;
  // A signal may end the process from its handler; the lock goes with it.
  const releaseOnExit = () => lock?.release();
  process.once('exit', releaseOnExit);
  installSignalHandlers(); // the entry point did it first thing; this is for other callers
  sayThrough((message, signal) => ctx.logger.warn({ signal }, message));
  const startedAt = Date.now();
  let result: RunResult | undefined;
  let exitCode: ExitCode = ExitCode.Internal;
  try {
    ctx.logger.info({ mode, projects: ctx.projects.map((p) => p.id) }, 'run started');
    const savedPlan = request.plan ? readSavedPlan(request.plan) : undefined;
    const planStartedAt = new Date(); // a saved plan's age counts from before its sources were read
    result = await runSync(
      runOptionsOf(ctx, {
        mode,
        overrideThreshold: request.overrideThreshold === true,
        ...(savedPlan ? { savedPlan: savedPlan.plan, savedPlanEdited: savedPlan.edited } : {}),
        stopRequested,
        stopUrgently,
        onWritesBegin: writesBegin,
        onWriteProgress: (done, total) =>
          ctx.progress.update('GrowthBook writes', `${done} of ${total} done`),
      }),
    );
    ctx.progress.clear();
    const stats = ctx.client.stats();
    exitCode =
      stopRequested() && result.exitCode === ExitCode.Ok ? ExitCode.ApplyIncomplete : result.exitCode;
    ctx.logger.info(
      { exit_code: exitCode, growthbook_requests: stats.requests, retries: stats.retries },
      'run finished',
    );
    if (request.out && result.collected) {
      writeSavedPlan(request.out, savedPlanOf(result.report, result.collected.members, planStartedAt));
      ctx.logger.info({ path: request.out }, 'plan saved');
    }
    try {
      await request.print?.(result.report);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      // The writes happened; the metrics and the exit code must still say how the run went.
      ctx.logger.error({ err: error.message }, error.message);
      if (exitCode === ExitCode.Ok) exitCode = error.exitCode;
    }
    return { report: result.report, exitCode };
  } catch (error) {
    ctx.progress.clear();
    exitCode = exitCodeOf(error);
    throw error;
  } finally {
    // Apply runs report; plan runs only when asked (a scheduled dry run), so a manual plan with the
    // same configuration never masks a failing apply.
    if (mode === 'apply' || request.publishMetrics === true) {
      await publishRunMetrics(ctx, startedAt, exitCode, result);
    }
    lock?.release();
    process.off('exit', releaseOnExit);
  }
}
