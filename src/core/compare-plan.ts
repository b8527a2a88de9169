// A saved plan is applied only while the world it was made from still holds: each planned member's
// state in GrowthBook, and each person's resolution, must be what they were when it was saved.
import { memberFingerprint } from './member-state.js';
import type { Action, Member } from './model.js';
import { isChange } from './plan-actions.js';

export function planDifferences(
  saved: readonly Action[],
  basis: ReadonlyMap<string, Member>,
  freshMembers: readonly Member[],
  freshActions: readonly Action[],
  project: string,
): string[] {
  const membersNow = new Map(freshMembers.map((m) => [m.id, m]));
  const actionsNow = new Map(freshActions.filter((a) => a.memberId !== null).map((a) => [a.memberId, a]));
  const differences: string[] = [];
  for (const action of saved.filter(isChange)) {
    const then = basis.get(action.memberId);
    const now = membersNow.get(action.memberId);
    if (!then) {
      differences.push(`${action.email}: the saved plan has no basis for member ${action.memberId}`);
    } else if (!now) {
      differences.push(`${action.email}: member ${action.memberId} no longer exists`);
    } else if (memberFingerprint(now, project) !== memberFingerprint(then, project)) {
      differences.push(`${action.email}: member state in GrowthBook changed since the plan was saved`);
    }
    const fresh = actionsNow.get(action.memberId);
    if (fresh && (fresh.kind !== action.kind || fresh.to !== action.to)) {
      differences.push(
        `${action.email}: now ${fresh.kind} → ${fresh.to ?? '-'} (saved: ${action.kind} → ${action.to}); ${fresh.reason}`,
      );
    }
  }
  return differences;
}
