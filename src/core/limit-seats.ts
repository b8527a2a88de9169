// The seat budget (growthbook.maxSeats): grants that would push the number of in-scope members with
// access in the project above it are held back as `pending` (reason `seat-limit`) instead of written.
import { NO_ACCESS } from './model.js';
import { type Action, SEAT_LIMIT } from './plan.js';

export { SEAT_LIMIT } from './plan.js';

/**
 * The seat rule, shared by the plan and the applier: a grant takes a seat and is held back when no
 * seat is left; an upgrade takes none, but is held back while the seats held exceed the budget (more
 * privilege is not handed out over budget). Null when the action may go ahead.
 */
export function seatHold(action: Action, seatsHeld: number, maxSeats: number): string | null {
  if (action.kind === 'grant' && seatsHeld + 1 > maxSeats) {
    return `${seatsHeld} members hold seats and growthbook.maxSeats is ${maxSeats}`;
  }
  if (action.kind === 'upgrade' && seatsHeld > maxSeats) {
    return `${seatsHeld} members hold seats, over growthbook.maxSeats ${maxSeats}`;
  }
  return null;
}

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
  return actions.map((action) => {
    const held = seatHold(action, seats, maxSeats);
    if (held) return hold(action, `${action.kind} held back: ${held}`);
    if (action.kind === 'grant') seats++;
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
