// The seat budget (growthbook.maxSeats), counted over the organization: a member holds a seat when
// they have access in at least one managed project. Grants that would push the number of seat
// holders above the budget are held back as `pending` (reason `seat-limit`) instead of written.
import { NO_ACCESS } from './model.js';
import { type Action, SEAT_LIMIT } from './plan.js';

export { SEAT_LIMIT } from './plan.js';

/**
 * The seat rule, shared by the plan and the applier: a change that seats a new member is held back
 * when no seat is left; a change that adds privilege (a grant or an upgrade) to a member already
 * seated takes none, but is held back while the seats held exceed the budget (more privilege is not
 * handed out over budget). Null when the change may go ahead.
 */
export function seatHold(
  change: { takesSeat: boolean; addsPrivilege: boolean },
  seatsHeld: number,
  maxSeats: number,
): string | null {
  if (change.addsPrivilege && seatsHeld > maxSeats) {
    return `${seatsHeld} members hold seats, over growthbook.maxSeats ${maxSeats}`;
  }
  if (change.takesSeat && seatsHeld + 1 > maxSeats) {
    return `${seatsHeld} members hold seats and growthbook.maxSeats is ${maxSeats}`;
  }
  return null;
}

const inScope = (a: Action) => a.memberId !== null && a.kind !== 'skip' && a.kind !== 'pending';
export const grantsAccess = (role: string | null) => role !== null && role !== NO_ACCESS;
export const addsPrivilege = (a: Action) => a.kind === 'grant' || a.kind === 'upgrade';

/** Members (by id) for whom `holds` is true in at least one of their in-scope actions. */
function holders(actions: readonly Action[], holds: (a: Action) => boolean): Set<string> {
  const ids = new Set<string>();
  for (const a of actions) if (inScope(a) && holds(a)) ids.add(a.memberId as string);
  return ids;
}

/** Seat holders now, and after every planned change lands. */
export function countSeats(actions: readonly Action[]): { now: number; after: number } {
  return {
    now: holders(actions, (a) => grantsAccess(a.from)).size,
    after: holders(actions, (a) => grantsAccess(a.to)).size,
  };
}

/**
 * Revokes and downgrades land first (they are applied first) and free the seats of members left
 * without access anywhere; grants then take seats in plan order until the budget is reached.
 */
export function limitSeats(actions: readonly Action[], maxSeats: number | undefined): Action[] {
  if (maxSeats === undefined) return [...actions];
  // Who keeps access once every change that adds none has landed.
  const seated = holders(actions, (a) => grantsAccess(addsPrivilege(a) ? a.from : a.to));
  return actions.map((action) => {
    if (!addsPrivilege(action)) return action;
    const id = action.memberId as string;
    const takesSeat = action.kind === 'grant' && !seated.has(id);
    const held = seatHold({ takesSeat, addsPrivilege: true }, seated.size, maxSeats);
    if (held) return hold(action, `${action.kind} held back: ${held}`);
    if (takesSeat) seated.add(id);
    return action;
  });
}

function hold(action: Action, detail: string): Action {
  return { ...action, kind: 'pending', reason: SEAT_LIMIT, detail: `${detail}; ${action.reason}` };
}

/** Seat holders after a run: members with access in any managed project, as read or as written. */
export function seatsHeld(actions: readonly Action[]): number {
  return holders(actions, (a) => grantsAccess(a.result === 'applied' ? a.to : a.from)).size;
}

/**
 * In-scope members by effective access after a run, per managed project: each member's current
 * access, or the role a write applied. Members without access are not counted.
 */
export function seatsByProject(actions: readonly Action[]): Record<string, Record<string, number>> {
  const seats: Record<string, Record<string, number>> = {};
  for (const a of actions) {
    if (a.memberId === null || a.kind === 'skip') continue;
    const byRole = seats[a.project] ?? {};
    seats[a.project] = byRole;
    const role = a.result === 'applied' ? a.to : a.from;
    if (!grantsAccess(role)) continue;
    byRole[role as string] = (byRole[role as string] ?? 0) + 1;
  }
  return seats;
}
