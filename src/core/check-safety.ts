// The circuit breaker: too many revokes or too many downgrades in one run means something upstream
// is probably wrong (an emptied group, a broken source), so nothing is written.
import type { Action, SafetyReport } from './model.js';

export interface ThresholdSettings {
  min: number;
  percent: number;
}

/** T = max(min, ceil(percent × population / 100)). */
export function thresholdFor(population: number, settings: ThresholdSettings): number {
  return Math.max(settings.min, Math.ceil((settings.percent * population) / 100));
}

/** Population: in-scope members (no-ops and the four change kinds; not skipped, not pending). */
export function checkSafety(
  actions: readonly Action[],
  settings: ThresholdSettings,
  options: { override: boolean },
): SafetyReport {
  const count = (kind: Action['kind']) => actions.filter((a) => a.kind === kind).length;
  const population = actions.filter((a) => a.kind !== 'skip' && a.kind !== 'pending').length;
  const threshold = thresholdFor(population, settings);
  const revoke = count('revoke');
  const downgrade = count('downgrade');
  const exceeded = revoke > threshold || downgrade > threshold;
  return {
    tripped: exceeded && !options.override,
    exceeded,
    overridden: exceeded && options.override,
    threshold,
    population,
    revoke,
    downgrade,
  };
}

/** The breaker of every managed project, each counted on its own population, and their sum. */
export interface ProjectsSafety {
  /** Totals; `tripped` when any project tripped, `threshold` the lowest project threshold, `exceededIn` the projects over their limit. */
  overall: SafetyReport & { exceededIn: string[] };
  byProject: Record<string, SafetyReport>;
}

export function checkProjectsSafety(
  actions: readonly Action[],
  projects: readonly string[],
  settings: ThresholdSettings,
  options: { override: boolean },
): ProjectsSafety {
  const byProject: Record<string, SafetyReport> = {};
  for (const id of projects) {
    byProject[id] = checkSafety(
      actions.filter((a) => a.project === id),
      settings,
      options,
    );
  }
  const reports = Object.values(byProject);
  const sum = (field: 'population' | 'revoke' | 'downgrade') => reports.reduce((n, r) => n + r[field], 0);
  return {
    overall: {
      tripped: reports.some((r) => r.tripped),
      exceeded: reports.some((r) => r.exceeded),
      overridden: reports.some((r) => r.overridden),
      threshold: Math.min(...reports.map((r) => r.threshold)),
      population: sum('population'),
      revoke: sum('revoke'),
      downgrade: sum('downgrade'),
      exceededIn: projects.filter((id) => byProject[id]?.exceeded),
    },
    byProject,
  };
}
