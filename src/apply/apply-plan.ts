// The applier decides nothing: for each planned change, in plan order, it re-reads the member,
// refuses if the state the plan was made from no longer holds, writes, and records. Then it reads
// every written member back and verifies it.
import { buildRoleUpdate, type RoleUpdate, verifyWrittenMember } from '../core/build-role-update.js';
import { seatHold } from '../core/limit-seats.js';
import { memberFingerprint } from '../core/member-state.js';
import { type Action, isChange, type Member, type StopCause } from '../core/plan.js';
import type { Scope } from '../core/scope.js';
import { DeadlineError } from '../errors.js';
import { GrowthBookError, GrowthBookHttpError } from '../growthbook/errors.js';
import type { Logger } from '../observe/logger.js';
import type { Deadline } from '../util/deadline.js';
import { messageOf } from '../util/message-of.js';

/** The two GrowthBook calls the applier needs (there is no delete). */
export interface MemberWriter {
  listMembers(filter?: { userEmail?: string }): Promise<Member[]>;
  updateMemberRole(id: string, member: RoleUpdate): Promise<unknown>;
}

export interface ApplyOptions {
  actions: Action[];
  /** The members as read when the plan was made, by id. */
  planned: ReadonlyMap<string, Member>;
  scope: Scope;
  client: MemberWriter;
  deadline: Deadline;
  logger: Logger;
  /** Asked before each write; true after SIGTERM/SIGINT. */
  stopRequested: () => boolean;
  /**
   * growthbook.maxSeats and the seats held when the run began. The plan assumed every revoke lands;
   * the applier counts what really happened, so a revoke that fails never lets a grant overshoot.
   */
  seatBudget?: { max: number; now: number };
}

export type { StopCause } from '../core/plan.js';

export interface ApplyOutcome {
  actions: Action[];
  applied: number;
  failed: number;
  /** Changes the run did not reach (they stay `planned`). */
  notAttempted: number;
  stoppedBy: StopCause;
  stopDetail: string | null;
}

/**
 * What a failed write means:
 * - `refused`: GrowthBook answered 4xx for this member; nothing landed, the next member may proceed;
 * - `blocked`: 401/403/429: nothing landed, and no other write will fare better;
 * - `uncertain`: 5xx, a lost connection or an unreadable answer: the write may have landed;
 * - `local`: the request was never sent (our own validation refused it).
 */
type WriteFailure = 'refused' | 'blocked' | 'uncertain' | 'local';

function classify(error: unknown): WriteFailure {
  if (error instanceof GrowthBookHttpError) {
    if (error.status === 401 || error.status === 403 || error.status === 429) return 'blocked';
    return error.status >= 500 ? 'uncertain' : 'refused';
  }
  return error instanceof GrowthBookError ? 'uncertain' : 'local';
}

/** Raised when a write's outcome stays unknown; the run stops, as the server is not answering. */
class OutcomeUnknown extends Error {}

export async function applyPlan(options: ApplyOptions): Promise<ApplyOutcome> {
  const { scope, client, deadline, logger } = options;
  const actions = options.actions.map((a) => ({ ...a }));
  const sent = new Map<string, RoleUpdate>();
  let stoppedBy: StopCause = null;
  let stopDetail: string | null = null;
  const stop = (cause: StopCause, detail: string) => {
    stoppedBy = cause;
    stopDetail = detail;
  };
  let seats = options.seatBudget?.now ?? 0;
  const overBudget = (action: Action): string | null => {
    const budget = options.seatBudget;
    const held = budget ? seatHold(action, seats, budget.max) : null;
    return held ? `held back: ${held}` : null;
  };

  for (const action of actions) {
    if (!isChange(action)) continue;
    if (options.stopRequested()) {
      stop('signal', 'stopped by signal before this write');
      break;
    }
    const held = overBudget(action);
    if (held) {
      action.detail = held;
      logger.warn(
        { email: action.email, member_id: action.memberId, kind: action.kind, detail: held },
        'not written',
      );
      continue;
    }
    const planned = options.planned.get(action.memberId);
    try {
      deadline.check(`writing ${action.email}`);
      if (!planned) throw new Error('member missing from the plan basis');
      // Read fresh, by GrowthBook's own spelling of the e-mail (its filter is exact).
      const fresh = await readMember(client, planned);
      if (!fresh) {
        markFailed(action, 'member no longer exists in GrowthBook; not written', logger);
        continue;
      }
      if (memberFingerprint(fresh, scope.project) !== memberFingerprint(planned, scope.project)) {
        markFailed(action, 'member changed since the plan was made (stale); not written', logger);
        continue;
      }
      const written = await writeSettled(action, planned, fresh, options);
      sent.set(action.memberId, written);
      action.result = 'applied';
      if (action.kind === 'revoke') seats--;
      if (action.kind === 'grant') seats++;
      logger.info(
        { email: action.email, member_id: action.memberId, kind: action.kind, to: action.to },
        'written',
      );
    } catch (error) {
      if (error instanceof DeadlineError) {
        stop('deadline', error.message);
        break;
      }
      markFailed(action, messageOf(error), logger);
      if (error instanceof OutcomeUnknown && error.cause instanceof DeadlineError) {
        stop('deadline', error.cause.message);
        break;
      }
      const failure = error instanceof OutcomeUnknown ? 'blocked' : classify(error);
      if (failure === 'blocked' || failure === 'uncertain') {
        stop('systemic-error', messageOf(error));
        break;
      }
    }
  }

  if (sent.size > 0) {
    if (stoppedBy === 'deadline') {
      markUnverified(actions, sent, 'written; not verified: the run deadline was reached');
    } else {
      try {
        await verify(actions, sent, options);
      } catch (error) {
        if (!(error instanceof DeadlineError)) throw error;
        stop('deadline', error.message);
        markUnverified(actions, sent, 'written; not verified: the run deadline was reached');
      }
    }
  }

  const changes = actions.filter(isChange);
  return {
    actions,
    applied: changes.filter((a) => a.result === 'applied').length,
    failed: changes.filter((a) => a.result === 'failed').length,
    notAttempted: changes.filter((a) => a.result === 'planned').length,
    stoppedBy,
    stopDetail,
  };
}

async function readMember(client: MemberWriter, planned: Member): Promise<Member | undefined> {
  return (await client.listMembers({ userEmail: planned.email })).find((m) => m.id === planned.id);
}

/**
 * Sends one write and settles its outcome; returns the body that landed. When the outcome is
 * uncertain the member is re-read: if the write landed it counts as applied; if the member is still
 * exactly as planned, the write provably did not land and is sent once more, rebuilt from that
 * re-read so a change made meanwhile to another project is kept; anything else is reported.
 */
async function writeSettled(
  action: Action,
  planned: Member,
  fresh: Member,
  options: ApplyOptions,
): Promise<RoleUpdate> {
  const { client, scope, logger, deadline } = options;
  const id = action.memberId as string;
  const body = buildRoleUpdate(fresh, scope.project, action.to as string, scope.globalRole);
  try {
    await client.updateMemberRole(id, body);
    return body;
  } catch (error) {
    if (classify(error) !== 'uncertain') throw error;
    logger.warn(
      { email: action.email, member_id: id, err: messageOf(error) },
      'write outcome unknown; re-reading',
    );
    let now: Member | undefined;
    try {
      deadline.check(`re-reading ${action.email} after an uncertain write`);
      now = await readMember(client, planned);
    } catch (reread) {
      throw new OutcomeUnknown(
        `outcome unknown: ${messageOf(error)}; the member could not be re-read (${messageOf(reread)})`,
        { cause: reread },
      );
    }
    if (now && verifyWrittenMember(now, body, scope.project).length === 0) return body;
    if (!now || memberFingerprint(now, scope.project) !== memberFingerprint(planned, scope.project)) {
      throw new OutcomeUnknown(`outcome unknown: ${messageOf(error)}; the member changed meanwhile`);
    }
    deadline.check(`rewriting ${action.email}`);
    const again = buildRoleUpdate(now, scope.project, action.to as string, scope.globalRole);
    await client.updateMemberRole(id, again);
    return again;
  }
}

function markFailed(action: Action, detail: string, logger: Logger): void {
  action.result = 'failed';
  action.detail = detail;
  logger.error(
    { email: action.email, member_id: action.memberId, kind: action.kind, detail },
    'write failed',
  );
}

function markUnverified(actions: Action[], sent: Map<string, RoleUpdate>, detail: string): void {
  for (const action of actions) {
    if (action.memberId && sent.has(action.memberId) && action.result === 'applied') action.detail = detail;
  }
}

/** Reads every written member back once and checks it against what was sent. */
async function verify(
  actions: Action[],
  sent: Map<string, RoleUpdate>,
  options: ApplyOptions,
): Promise<void> {
  const { client, scope, logger, deadline } = options;
  let after: Map<string, Member>;
  try {
    deadline.check('verifying the writes');
    after = new Map((await client.listMembers()).map((m) => [m.id, m]));
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    for (const action of actions) {
      if (action.memberId && sent.has(action.memberId)) {
        markFailed(action, `written, but could not be read back to verify: ${messageOf(error)}`, logger);
      }
    }
    return;
  }
  for (const action of actions) {
    const body = action.memberId ? sent.get(action.memberId) : undefined;
    if (!body || !action.memberId) continue;
    const member = after.get(action.memberId);
    const problems = member
      ? verifyWrittenMember(member, body, scope.project)
      : ['member missing after the write'];
    if (problems.length > 0) markFailed(action, `verification failed: ${problems.join('; ')}`, logger);
  }
}
