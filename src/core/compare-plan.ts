// A saved plan is applied only while the world it was made from still holds: each planned member's
// state in GrowthBook, and each person's resolution, must be what they were when it was saved.

import { normalizeEmail } from './identity.js';
import { memberFingerprint } from './member-state.js';
import type { Action, Member } from './model.js';

export function planDifferences(
  saved: readonly Action[],
  basis: ReadonlyMap<string, Member>,
  freshMembers: readonly Member[],
  freshActions: readonly Action[],
  project: string,
): string[] {
  const membersNow = new Map(freshMembers.map((m) => [m.id, m]));
  const actionsNow = new Map(freshActions.filter((a) => a.memberId !== null).map((a) => [a.memberId, a]));
  const pendingNow = new Map(
    freshActions.filter((a) => a.memberId === null).map((a) => [normalizeEmail(a.email), a]),
  );
  const differences: string[] = [];
  const describe = (then: Action, now: Action | undefined) =>
    now === undefined
      ? `${then.email}: no longer in the plan (saved: ${then.kind} → ${then.to ?? '-'})`
      : `${then.email}: now ${now.kind} → ${now.to ?? '-'} (saved: ${then.kind} → ${then.to ?? '-'}); ${now.reason}`;
  // Every person the plan speaks of, not only those it changes: a plan whose no-ops no longer hold
  // describes a world that is gone.
  for (const action of saved) {
    if (action.memberId === null) {
      const now = pendingNow.get(normalizeEmail(action.email));
      if (!now || now.kind !== action.kind || now.to !== action.to) differences.push(describe(action, now));
      continue;
    }
    const then = basis.get(action.memberId);
    const member = membersNow.get(action.memberId);
    if (!then) {
      differences.push(`${action.email}: the saved plan has no basis for member ${action.memberId}`);
    } else if (!member) {
      differences.push(`${action.email}: member ${action.memberId} no longer exists`);
    } else if (memberFingerprint(member, project) !== memberFingerprint(then, project)) {
      differences.push(`${action.email}: member state in GrowthBook changed since the plan was saved`);
    }
    const now = actionsNow.get(action.memberId);
    if (member && (now?.kind !== action.kind || now?.to !== action.to))
      differences.push(describe(action, now));
  }
  return differences;
}
