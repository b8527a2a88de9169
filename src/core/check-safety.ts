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
