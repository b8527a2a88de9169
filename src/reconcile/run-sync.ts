// The pipeline: collect → resolve → plan → safety → (apply → verify). Returns the run report; the
// caller prints it and turns it into an exit code.
import { applyPlan, type MemberWriter } from '../apply/apply-plan.js';
import { checkSafety, type ThresholdSettings } from '../core/check-safety.js';
import { planDifferences } from '../core/compare-plan.js';
import { joinIdentities } from '../core/identity.js';
import { countSeats, limitSeats, seatsByRole } from '../core/limit-seats.js';
import type { Action, Policy, SafetyReport, Scope, Summary } from '../core/model.js';
import { isChange, planActions, sortActions } from '../core/plan-actions.js';
import { summarize } from '../core/summarize.js';
import { ExitCode } from '../errors.js';
import { auditAction } from '../observe/audit.js';
import type { Logger } from '../observe/logger.js';
import { type Collected, collectSources, type SourceSet } from '../sources/collect-sources.js';
import type { Deadline } from '../util/deadline.js';
import type { SavedPlan } from './saved-plan.js';

export type RunMode = 'plan' | 'apply';

/** The JSON document of DESIGN.md "Command line". */
export interface RunReport {
  runId: string;
  project: string;
  projectName?: string;
  mode: RunMode;
  summary: Summary;
  safety: SafetyReport;
  actions: Action[];
  apply?: {
    applied: number;
    failed: number;
    notAttempted: number;
    stoppedBy: string | null;
    detail: string | null;
  };
  /** apply --plan: why the saved plan was not applied (nothing was written). */
  refused?: string;
}

export interface RunOptions {
  runId: string;
  mode: RunMode;
  policy: Policy;
  scope: Scope;
  threshold: ThresholdSettings;
  overrideThreshold: boolean;
  /** growthbook.maxSeats: grants beyond it are held back as pending. */
  maxSeats?: number;
  /** apply --plan: apply exactly this plan, if the world still matches it. */
  savedPlan?: { plan: SavedPlan; maxAgeSeconds: number; now: Date };
  sources: SourceSet & { growthbook: MemberWriter };
  deadline: Deadline;
  logger: Logger;
  stopRequested: () => boolean;
}

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
    client: options.sources.growthbook,
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
