// A saved plan is applied only while the world it was made from still holds: the same managed
// projects, each planned member's state in GrowthBook, and each person's resolution in every
// project, must be what they were when it was saved.

import { normalizeEmail } from './identity.js';
import { memberFingerprint } from './member-state.js';
import type { Action, Member } from './model.js';
import { isChangeKind } from './plan.js';

/** Why a plan made for `saved` projects cannot be applied to `now`, or null when they are the same set. */
export function projectSetDifference(saved: readonly string[], now: readonly string[]): string | null {
  const missing = now.filter((p) => !saved.includes(p));
  const extra = saved.filter((p) => !now.includes(p));
  if (missing.length === 0 && extra.length === 0) return null;
  const parts = [
    ...(extra.length > 0 ? [`it manages ${extra.join(', ')}, which the configuration no longer does`] : []),
    ...(missing.length > 0 ? [`it does not manage ${missing.join(', ')}`] : []),
  ];
  return `the plan was made for projects ${saved.join(', ')}, the configuration manages ${now.join(', ')}: ${parts.join('; ')}`;
}

export function planDifferences(
  saved: readonly Action[],
  basis: ReadonlyMap<string, Member>,
  freshMembers: readonly Member[],
  freshActions: readonly Action[],
  projects: readonly string[],
): string[] {
  const membersNow = new Map(freshMembers.map((m) => [m.id, m]));
  const keyOf = (a: Action) =>
    `${a.project}\u0000${a.memberId === null ? `mail:${normalizeEmail(a.email)}` : `id:${a.memberId}`}`;
  const actionsNow = new Map(freshActions.map((a) => [keyOf(a), a]));
  const differences: string[] = [];
  const describe = (then: Action, now: Action | undefined) =>
    now === undefined
      ? `${then.email} in ${then.project}: no longer in the plan (saved: ${then.kind} → ${then.to ?? '-'})`
      : `${then.email} in ${then.project}: now ${now.kind} → ${now.to ?? '-'} (saved: ${then.kind} → ${then.to ?? '-'}); ${now.reason}`;
  const checkedMembers = new Set<string>();
  // Every person the plan speaks of, not only those it changes: a plan whose no-ops no longer hold
  // describes a world that is gone.
  for (const action of saved) {
    const now = actionsNow.get(keyOf(action));
    if (action.memberId === null) {
      if (!now || now.kind !== action.kind || now.to !== action.to) differences.push(describe(action, now));
      continue;
    }
    const then = basis.get(action.memberId);
    const member = membersNow.get(action.memberId);
    if (!checkedMembers.has(action.memberId)) {
      checkedMembers.add(action.memberId);
      if (!then) {
        differences.push(`${action.email}: the saved plan has no basis for member ${action.memberId}`);
      } else if (!member) {
        differences.push(`${action.email}: member ${action.memberId} no longer exists`);
      } else if (memberFingerprint(member, projects) !== memberFingerprint(then, projects)) {
        differences.push(`${action.email}: member state in GrowthBook changed since the plan was saved`);
      }
    }
    if (member && (now?.kind !== action.kind || now?.to !== action.to))
      differences.push(describe(action, now));
  }
  // And the other way round: a change the fresh plan makes that the saved plan lacks (an action
  // deleted from the file) means the saved plan no longer says everything that would happen.
  // Compared per member and project: one project's action deleted while another stays is caught too.
  const savedKeys = new Set(saved.map(keyOf));
  for (const now of freshActions) {
    if (now.memberId === null || savedKeys.has(keyOf(now)) || !isChangeKind(now.kind)) continue;
    differences.push(
      `${now.email} in ${now.project}: now ${now.kind} → ${now.to ?? '-'}, not in the saved plan`,
    );
  }
  return differences;
}
