// One write per member: every change the plan holds for a member, over all managed projects, goes
// into one request, so two managed projects can never undo each other.
import { type Action, isChange } from './plan.js';

export interface MemberWrite<A extends Action = Action> {
  memberId: string;
  email: string;
  /** The member's changes, one per changed project, in plan order. */
  changes: A[];
}

/** The writes of a plan, in the order of each member's first change (the plan's write order). */
export function groupWrites<A extends Action>(actions: readonly A[]): MemberWrite<A>[] {
  const writes = new Map<string, MemberWrite<A>>();
  for (const action of actions) {
    if (!isChange(action)) continue;
    const write = writes.get(action.memberId);
    if (write) write.changes.push(action);
    else writes.set(action.memberId, { memberId: action.memberId, email: action.email, changes: [action] });
  }
  return [...writes.values()];
}
