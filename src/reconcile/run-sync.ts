// One sync run over every managed project: collect → resolve → plan → safety → (apply → verify) →
// report. Returns the report and the exit code; the command line prints the one and exits with the
// other.
import { applyPlan } from '../apply/apply-plan.js';
import { checkProjectsSafety, type ProjectsSafety } from '../core/check-safety.js';
import { planDifferences, projectSetDifference } from '../core/compare-plan.js';
import { joinIdentities } from '../core/identity.js';
import { countSeats, limitSeats, seatsByProject, seatsHeld } from '../core/limit-seats.js';
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
  /** Per project, in-scope members by effective access after the run, over every current member. */
  seats?: Record<string, Record<string, number>>;
  /** Members with access in any managed project after the run (the seat budget's count). */
  seatHolders?: number;
  /** Absent when the run stopped before reading the sources (a saved plan refused for its age). */
  collected?: Collected;
}

function reportOf(
  options: RunOptions,
  actions: Action[],
  safety: ProjectsSafety,
  names: ReadonlyMap<string, string>,
): RunReport {
  const first = options.projects[0]?.id ?? '';
  const firstName = names.get(first);
  return {
    runId: options.runId,
    project: first,
    ...(firstName ? { projectName: firstName } : {}),
    mode: options.mode,
    summary: summarize(actions),
    safety: safety.overall,
    projects: options.projects.map(({ id }) => {
      const name = names.get(id);
      return {
        id,
        ...(name ? { name } : {}),
        summary: summarize(actions.filter((a) => a.project === id)),
        safety: safety.byProject[id] as SafetyReport,
      };
    }),
    actions,
  };
}

/** Per-project summaries recounted after the apply (results changed, kinds did not). */
function withSummaries(report: RunReport, actions: Action[]): RunReport {
  return {
    ...report,
    actions,
    summary: summarize(actions),
    projects: report.projects.map((p) => ({
      ...p,
      summary: summarize(actions.filter((a) => a.project === p.id)),
    })),
  };
}

export async function runSync(options: RunOptions): Promise<RunResult> {
  const { logger, scope, projects } = options;
  const ids = projects.map((p) => p.id);
  const policies = projects.map((p) => p.policy);
  const saved = options.savedPlan;
  if (saved?.edited) return refuse(options, saved.plan, saved.edited);
  if (saved) {
    const ageSeconds = (saved.now.getTime() - Date.parse(saved.plan.createdAt)) / 1000;
    const changedSet = projectSetDifference(saved.plan.projects, ids);
    if (changedSet) return refuse(options, saved.plan, changedSet);
    if (ageSeconds > saved.maxAgeSeconds || ageSeconds < -60) {
      return refuse(
        options,
        saved.plan,
        `the plan was made ${Math.round(ageSeconds)} s ago, more than safety.maxPlanAgeSeconds (${saved.maxAgeSeconds} s)`,
      );
    }
  }

  const collected = await collectSources(options.sources, projects, logger);
  const names = new Map(collected.projects.map((p) => [p.id, p.name]));
  const people = joinIdentities(collected.directory, collected.posix, policies);
  const fresh = sortActions(
    limitSeats(planActions({ members: collected.members, people, projects, scope }), options.maxSeats),
    projects,
  );

  let actions = fresh;
  let planned = new Map(collected.members.map((m) => [m.id, m]));
  if (saved) {
    const basis = new Map(Object.entries(saved.plan.basis));
    const differences = planDifferences(saved.plan.report.actions, basis, collected.members, fresh, ids);
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

  const safety = checkProjectsSafety(actions, ids, options.threshold, {
    override: options.overrideThreshold,
  });
  const report = reportOf(options, actions, safety, names);

  for (const id of safety.overall.exceededIn) {
    const project = safety.byProject[id] as SafetyReport;
    logger.warn(
      {
        project: id,
        threshold: project.threshold,
        population: project.population,
        revoke: project.revoke,
        downgrade: project.downgrade,
        overridden: project.overridden,
      },
      project.overridden
        ? 'circuit breaker exceeded, overridden for this run'
        : 'circuit breaker tripped: nothing written in any project',
    );
  }

  if (options.mode === 'plan' || safety.overall.tripped) {
    for (const action of actions) auditAction(logger, action, options.mode);
    return {
      report,
      exitCode: safety.overall.tripped ? ExitCode.BreakerTripped : ExitCode.Ok,
      collected,
      seats: seatsByProject(fresh),
      seatHolders: seatsHeld(fresh),
    };
  }

  options.onWritesBegin?.();
  const outcome = await applyPlan({
    actions,
    planned,
    scope,
    projects: ids,
    client: options.writer,
    deadline: options.deadline,
    logger,
    stopRequested: options.stopRequested,
    ...(options.onWriteProgress ? { onProgress: options.onWriteProgress } : {}),
    ...(options.stopUrgently ? { skipVerification: options.stopUrgently } : {}),
    // Counted over every current member, so seats held by members outside a saved plan count too.
    ...(options.maxSeats !== undefined
      ? { seatBudget: { max: options.maxSeats, now: countSeats(fresh).now } }
      : {}),
  });
  for (const action of outcome.actions) auditAction(logger, action, 'apply');
  const applied = withSummaries(report, outcome.actions);
  applied.apply = {
    applied: outcome.applied,
    failed: outcome.failed,
    notAttempted: outcome.notAttempted,
    writes: outcome.writes,
    stoppedBy: outcome.stoppedBy,
    detail: outcome.stopDetail,
  };

  let exitCode: ExitCode = ExitCode.Ok;
  if (outcome.stoppedBy === 'deadline') exitCode = ExitCode.Deadline;
  else if (outcome.failed > 0 || outcome.notAttempted > 0) exitCode = ExitCode.ApplyIncomplete;
  const changes = outcome.actions.filter(isChange).length;
  const counts = {
    changes,
    writes: outcome.writes,
    applied: outcome.applied,
    failed: outcome.failed,
    not_attempted: outcome.notAttempted,
  };
  if (exitCode === ExitCode.Ok) logger.info(counts, 'apply complete and verified');
  else logger.warn({ ...counts, stopped_by: outcome.stoppedBy }, 'apply incomplete');
  // Seats over every current member: those outside a saved plan keep what they had.
  const landed = new Map(
    outcome.actions.filter((a) => a.result === 'applied').map((a) => [`${a.project}\u0000${a.memberId}`, a]),
  );
  const after = fresh.map((a) => landed.get(`${a.project}\u0000${a.memberId}`) ?? a);
  return {
    report: applied,
    exitCode,
    collected,
    seats: seatsByProject(after),
    seatHolders: seatsHeld(after),
  };
}

/** A saved plan that may not be applied: nothing is written, exit 5, the plan is shown as it was. */
function refuse(options: RunOptions, plan: SavedPlan, why: string): RunResult {
  options.logger.error({ reason: why }, 'saved plan refused: nothing written');
  const actions = plan.report.actions.map((a) => ({ ...a, result: 'planned' as const }));
  const report: RunReport = { ...plan.report, runId: options.runId, mode: options.mode, actions };
  report.refused = why;
  return { report, exitCode: ExitCode.ApplyIncomplete };
}
