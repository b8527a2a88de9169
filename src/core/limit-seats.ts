// The seat budget (growthbook.maxSeats): grants that would push the number of in-scope members with
// access in the project above it are held back as `pending` (reason `seat-limit`) instead of written.
import { type Action, NO_ACCESS } from './model.js';

export const SEAT_LIMIT = 'seat-limit';

/** In-scope members with access now, and after the planned revokes and grants. */
export function countSeats(actions: readonly Action[]): { now: number; after: number } {
  const inScope = actions.filter((a) => a.memberId !== null && a.kind !== 'skip' && a.kind !== 'pending');
  const now = inScope.filter((a) => a.from !== null && a.from !== NO_ACCESS).length;
  const after = inScope.filter((a) => a.to !== null && a.to !== NO_ACCESS).length;
  return { now, after };
}

/**
 * Revokes free seats first (they are applied first); grants then take seats in plan order until the
 * budget is reached. An upgrade takes no new seat, but while the budget is already exceeded after
 * the revokes it is held too: more privilege is not handed out over budget.
 */
export function limitSeats(actions: readonly Action[], maxSeats: number | undefined): Action[] {
  if (maxSeats === undefined) return [...actions];
  const { now } = countSeats(actions);
  const freed = actions.filter((a) => a.kind === 'revoke').length;
  let seats = now - freed;
  const overBudget = seats > maxSeats;
  return actions.map((action) => {
    if (action.kind === 'grant') {
      if (seats + 1 <= maxSeats) {
        seats++;
        return action;
      }
      return hold(action, `grant held back: growthbook.maxSeats ${maxSeats} would be exceeded`);
    }
    if (action.kind === 'upgrade' && overBudget) {
      return hold(
        action,
        `upgrade held back: ${seats} members already hold seats, over growthbook.maxSeats ${maxSeats}`,
      );
    }
    return action;
  });
}

function hold(action: Action, detail: string): Action {
  return { ...action, kind: 'pending', reason: SEAT_LIMIT, detail: `${detail}; ${action.reason}` };
}

/**
 * In-scope members by effective access after a run: each member's current access, or the role a
 * write applied to them. Members without access hold no seat.
 */
export function seatsByRole(
  actions: readonly Action[],
  applied: ReadonlyMap<string, string>,
): Record<string, number> {
  const seats: Record<string, number> = {};
  for (const a of actions) {
    if (a.memberId === null || a.kind === 'skip') continue;
    const role = applied.get(a.memberId) ?? a.from;
    if (role === null || role === NO_ACCESS) continue;
    seats[role] = (seats[role] ?? 0) + 1;
  }
  return seats;
}
