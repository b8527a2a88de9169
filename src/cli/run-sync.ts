// The pipeline: collect → resolve → plan → safety → (apply → verify). Returns the run report; the
// caller prints it and turns it into an exit code.
import { applyPlan, type MemberWriter } from '../apply/apply-plan.js';
import { checkSafety, type ThresholdSettings } from '../core/check-safety.js';
import { joinIdentities } from '../core/identity.js';
import type { Action, Policy, SafetyReport, Scope, Summary } from '../core/model.js';
import { isChange, planActions } from '../core/plan-actions.js';
import { summarize } from '../core/summarize.js';
import { ExitCode } from '../errors.js';
import { auditAction } from '../observe/audit.js';
import type { Logger } from '../observe/logger.js';
import { type Collected, collectSources, type SourceSet } from '../sources/collect-sources.js';
import type { Deadline } from '../util/deadline.js';

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
}

export interface RunOptions {
  runId: string;
  mode: RunMode;
  policy: Policy;
  scope: Scope;
  threshold: ThresholdSettings;
  overrideThreshold: boolean;
  sources: SourceSet & { growthbook: MemberWriter };
  deadline: Deadline;
  logger: Logger;
  stopRequested: () => boolean;
}

export interface RunResult {
  report: RunReport;
  exitCode: ExitCode;
  collected: Collected;
}

export async function runSync(options: RunOptions): Promise<RunResult> {
  const { logger, scope, policy } = options;
  const collected = await collectSources(options.sources, policy, scope.project, logger);
  const people = joinIdentities(collected.directory, collected.posix, policy);
  const actions = planActions({ members: collected.members, people, policy, scope });
  const safety = checkSafety(actions, options.threshold, { override: options.overrideThreshold });

  const report: RunReport = {
    runId: options.runId,
    project: scope.project,
    projectName: collected.project.name,
    mode: options.mode,
    summary: summarize(actions),
    safety,
    actions,
  };

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
    return { report, exitCode: safety.tripped ? ExitCode.BreakerTripped : ExitCode.Ok, collected };
  }

  const outcome = await applyPlan({
    actions,
    planned: new Map(collected.members.map((m) => [m.id, m])),
    scope,
    client: options.sources.growthbook,
    deadline: options.deadline,
    logger,
    stopRequested: options.stopRequested,
  });
  for (const action of outcome.actions) auditAction(logger, action, 'apply');
  report.actions = outcome.actions;
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
  return { report, exitCode, collected };
}
