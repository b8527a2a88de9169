import type { Action, Summary } from './model.js';

export function summarize(actions: readonly Action[]): Summary {
  const summary: Summary = { revoke: 0, downgrade: 0, upgrade: 0, grant: 0, noop: 0, skip: 0, pending: 0 };
  for (const action of actions) summary[action.kind]++;
  return summary;
}
