// One sync run: collect → resolve → plan → safety → (apply → verify) → report. Returns the report
// and the exit code; the command line prints the one and exits with the other.
import { applyPlan } from '../apply/apply-plan.js';
import { checkSafety } from '../core/check-safety.js';
import { planDifferences } from '../core/compare-plan.js';
import { joinIdentities } from '../core/identity.js';
import { countSeats, limitSeats, seatsByRole } from '../core/limit-seats.js';
import {
  type Action,
  isChange,
  type RunReport,
  type SafetyReport,
  type SavedPlan,
  summarize,
} from '../core/plan.js';
import { planActions, sortActions } from '../core/plan-actions.js';
import { ExitCode } from '../errors.js';
import { auditAction } from '../observe/audit.js';
import { type Collected, collectSources } from '../sources/collect-sources.js';
import type { RunOptions } from './run-options.js';

export type { RunMode, RunReport } from '../core/plan.js';
export type { RunOptions } from './run-options.js';

export interface RunResult {
  report: RunReport;
  exitCode: ExitCode;
  /** In-scope members by effective access after the run, over every current member; null when unknown. */
  seats?: Record<string, number>;
  /** Absent when the run stopped before reading the sources (a saved plan refused for its age). */
  collected?: Collected;
}

function reportOf(
  options: RunOptions,
  actions: Action[],
  safety: SafetyReport,
  projectName?: string,
): RunReport {
  return {
    runId: options.runId,
    project: options.scope.project,
    ...(projectName ? { projectName } : {}),
    mode: options.mode,
    summary: summarize(actions),
    safety,
    actions,
  };
}

export async function runSync(options: RunOptions): Promise<RunResult> {
  const { logger, scope, policy } = options;
  const saved = options.savedPlan;
  if (saved) {
    const ageSeconds = (saved.now.getTime() - Date.parse(saved.plan.createdAt)) / 1000;
    if (saved.plan.project !== scope.project) {
      return refuse(
        options,
        saved.plan,
        `the plan is for project ${saved.plan.project}, not ${scope.project}`,
      );
    }
    if (ageSeconds > saved.maxAgeSeconds || ageSeconds < -60) {
      return refuse(
        options,
        saved.plan,
        `the plan was made ${Math.round(ageSeconds)} s ago, more than safety.maxPlanAgeSeconds (${saved.maxAgeSeconds} s)`,
      );
    }
  }

  const collected = await collectSources(options.sources, policy, scope.project, logger);
  const people = joinIdentities(collected.directory, collected.posix, policy);
  const fresh = sortActions(
    limitSeats(planActions({ members: collected.members, people, policy, scope }), options.maxSeats),
    policy,
  );

  let actions = fresh;
  let planned = new Map(collected.members.map((m) => [m.id, m]));
  if (saved) {
    const basis = new Map(Object.entries(saved.plan.basis));
    const differences = planDifferences(
      saved.plan.report.actions,
      basis,
      collected.members,
      fresh,
      scope.project,
    );
    if (differences.length > 0) {
      return {
        ...refuse(
          options,
          saved.plan,
          `the world changed since the plan was saved: ${differences.join('; ')}`,
        ),
        collected,
      };
    }
    actions = saved.plan.report.actions.map((a) => ({ ...a, result: 'planned' as const }));
    planned = basis;
  }

  const safety = checkSafety(actions, options.threshold, { override: options.overrideThreshold });
  const report = reportOf(options, actions, safety, collected.project.name);

  if (safety.exceeded) {
    logger.warn(
      {
        threshold: safety.threshold,
        revoke: safety.revoke,
        downgrade: safety.downgrade,
        overridden: safety.overridden,
      },
      safety.overridden
        ? 'circuit breaker exceeded, overridden for this run'
        : 'circuit breaker tripped: nothing written',
    );
  }

  if (options.mode === 'plan' || safety.tripped) {
    for (const action of actions) auditAction(logger, action, options.mode);
    return {
      report,
      exitCode: safety.tripped ? ExitCode.BreakerTripped : ExitCode.Ok,
      collected,
      seats: seatsByRole(fresh, new Map()),
    };
  }

  const outcome = await applyPlan({
    actions,
    planned,
    scope,
    client: options.writer,
    deadline: options.deadline,
    logger,
    stopRequested: options.stopRequested,
    // Counted over every current member, so seats held by members outside a saved plan count too.
    ...(options.maxSeats !== undefined
      ? { seatBudget: { max: options.maxSeats, now: countSeats(fresh).now } }
      : {}),
  });
  for (const action of outcome.actions) auditAction(logger, action, 'apply');
  report.actions = outcome.actions;
  report.summary = summarize(outcome.actions);
  report.apply = {
    applied: outcome.applied,
    failed: outcome.failed,
    notAttempted: outcome.notAttempted,
    stoppedBy: outcome.stoppedBy,
    detail: outcome.stopDetail,
  };

  let exitCode: ExitCode = ExitCode.Ok;
  if (outcome.stoppedBy === 'deadline') exitCode = ExitCode.Deadline;
  else if (outcome.failed > 0 || outcome.notAttempted > 0) exitCode = ExitCode.ApplyIncomplete;
  const changes = outcome.actions.filter(isChange).length;
  logger.info(
    { changes, applied: outcome.applied, failed: outcome.failed, not_attempted: outcome.notAttempted },
    exitCode === ExitCode.Ok ? 'apply complete and verified' : 'apply incomplete',
  );
  const applied = new Map(
    outcome.actions
      .filter((a) => isChange(a) && a.result === 'applied' && a.memberId !== null && a.to !== null)
      .map((a) => [a.memberId as string, a.to as string]),
  );
  return { report, exitCode, collected, seats: seatsByRole(fresh, applied) };
}

/** A saved plan that may not be applied: nothing is written, exit 5, the plan is shown as it was. */
function refuse(options: RunOptions, plan: SavedPlan, why: string): RunResult {
  options.logger.error({ reason: why }, 'saved plan refused: nothing written');
  const actions = plan.report.actions.map((a) => ({ ...a, result: 'planned' as const }));
  const report = reportOf(options, actions, plan.report.safety, plan.report.projectName);
  report.refused = why;
  return { report, exitCode: ExitCode.ApplyIncomplete };
}
