// The applier decides nothing: for each member with planned changes, in plan order, it re-reads the
// member, refuses if the state the plan was made from no longer holds, writes every changed managed
// entry in one request, and records. Then it reads every written member back and verifies it.
import {
  buildRoleUpdate,
  type RoleUpdate,
  verifyWrittenMember,
  type WriteTargets,
} from '../core/build-role-update.js';
import { groupWrites, type MemberWrite } from '../core/group-writes.js';
import { addsPrivilege, grantsAccess, seatHold } from '../core/limit-seats.js';
import { memberFingerprint } from '../core/member-state.js';
import { type Action, isChange, type Member, type StopCause } from '../core/plan.js';
import { type BlockingRole, roleBlockingWrites } from '../core/role-blocking-writes.js';
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
  /** Runs a fresh read and its write as one paced unit, so no pacing wait falls between them. */
  paced?<T>(requests: number, work: () => Promise<T>): Promise<T>;
}

export interface ApplyOptions {
  actions: Action[];
  /** The members as read when the plan was made, by id. */
  planned: ReadonlyMap<string, Member>;
  scope: Scope;
  /** Every managed project's id: a write keeps the access of those it does not change. */
  projects: readonly string[];
  client: MemberWriter;
  deadline: Deadline;
  logger: Logger;
  /** Asked before each write; true after SIGTERM/SIGINT. */
  stopRequested: () => boolean;
  /** True after a second signal: the writes made are recorded but not read back. */
  skipVerification?: () => boolean;
  /**
   * growthbook.maxSeats and the seats held when the run began (members with access in any managed
   * project). The plan assumed every revoke lands; the applier counts what really happened, so a
   * revoke that fails never lets a grant overshoot.
   */
  seatBudget?: { max: number; now: number };
  /** Told as writes proceed: member writes handled so far, of how many. */
  onProgress?: (done: number, total: number) => void;
}

export type { StopCause } from '../core/plan.js';

export interface ApplyOutcome {
  actions: Action[];
  applied: number;
  failed: number;
  /** Changes the run did not reach (they stay `planned`). */
  notAttempted: number;
  /** Write requests that landed (one per member, whatever the number of projects it changed). */
  writes: number;
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
  const { client, deadline, logger } = options;
  const actions = options.actions.map((a) => ({ ...a }));
  const sent = new Map<string, { body: RoleUpdate; owned: string[] }>();
  let stoppedBy: StopCause = null;
  let stopDetail: string | null = null;
  const stop = (cause: StopCause, detail: string) => {
    stoppedBy = cause;
    stopDetail = detail;
  };
  const seats = seatCounter(actions, options.seatBudget);

  const writes = groupWrites(actions);
  let handled = 0;
  for (const planned of writes) {
    options.onProgress?.(handled++, writes.length);
    if (options.stopRequested()) {
      stop('signal', 'stopped by signal before this write');
      break;
    }
    const write = seats.admit(planned, logger);
    if (write.changes.length === 0) continue;
    const basis = options.planned.get(write.memberId);
    const changed = write.changes.map((a) => a.project);
    try {
      deadline.check(`writing ${write.email}`);
      if (!basis) throw new Error('member missing from the plan basis');
      // The fresh read and its write share one pacing slot pair: a wait between them would leave
      // room for a change to another project that the write would then overwrite.
      const written = await pacedPair(client, async () => {
        // Read fresh, by GrowthBook's own spelling of the e-mail (its filter is exact).
        const fresh = await readMember(client, basis);
        if (!fresh) {
          markFailed(write, 'member no longer exists in GrowthBook; not written', logger);
          return null;
        }
        if (memberFingerprint(fresh, changed) !== memberFingerprint(basis, changed)) {
          markFailed(write, 'member changed since the plan was made (stale); not written', logger);
          return null;
        }
        // A signal that came while this member was being read: the write has not started, so stop.
        if (options.stopRequested()) return STOPPED;
        try {
          return await writeSettled(write, basis, fresh, options);
        } catch (error) {
          const blocking =
            error instanceof GrowthBookHttpError && error.status === 400
              ? roleBlockingWrites(fresh, options.projects, error.serverMessage)
              : null;
          if (!blocking) throw error;
          markBlocked(write, blocking, logger);
          return null;
        }
      });
      if (written === STOPPED) {
        stop('signal', 'stopped by signal before this write');
        break;
      }
      if (written === null) continue;
      sent.set(write.memberId, written);
      for (const action of write.changes) action.result = 'applied';
      seats.landed(write);
      logger.info(
        {
          email: write.email,
          member_id: write.memberId,
          changes: write.changes.map((a) => ({ project: a.project, kind: a.kind, to: a.to })),
        },
        'written',
      );
    } catch (error) {
      if (error instanceof DeadlineError) {
        stop('deadline', error.message);
        break;
      }
      markFailed(write, messageOf(error), logger);
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

  options.onProgress?.(handled, writes.length);
  if (sent.size > 0) {
    if (options.skipVerification?.()) {
      markUnverified(actions, sent, 'written; not verified: stopped by a second signal');
    } else if (stoppedBy === 'deadline') {
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
    writes: sent.size,
    stoppedBy,
    stopDetail,
  };
}

/**
 * The seat budget as writes land. A member holds a seat while they have access in any managed
 * project; a write that would seat a new member past the budget, or add privilege while the budget
 * is exceeded, goes without its grants and upgrades (they are reported as held back).
 */
function seatCounter(actions: readonly Action[], budget: ApplyOptions['seatBudget']) {
  let seats = budget?.now ?? 0;
  const accessOf = (write: MemberWrite, landed: boolean) =>
    actions.some(
      (a) =>
        a.memberId === write.memberId &&
        a.kind !== 'skip' &&
        grantsAccess(landed && write.changes.includes(a) ? a.to : a.from),
    );
  return {
    admit(write: MemberWrite, logger: Logger): MemberWrite {
      if (!budget) return write;
      const change = {
        takesSeat: !accessOf(write, false) && accessOf(write, true),
        addsPrivilege: write.changes.some(addsPrivilege),
      };
      const rule = seatHold(change, seats, budget.max);
      if (!rule) return write;
      const why = `held back: ${rule}`;
      const held = write.changes.filter(addsPrivilege);
      for (const action of held) {
        action.detail = why;
        logger.warn(
          {
            email: action.email,
            member_id: action.memberId,
            project: action.project,
            kind: action.kind,
            detail: why,
          },
          'not written',
        );
      }
      return { ...write, changes: write.changes.filter((a) => !addsPrivilege(a)) };
    },
    landed(write: MemberWrite) {
      const before = accessOf({ ...write, changes: [] }, false);
      const after = accessOf(write, true);
      if (before && !after) seats--;
      if (!before && after) seats++;
    },
  };
}

const STOPPED = Symbol('stopped by signal');

function pacedPair<T>(client: MemberWriter, work: () => Promise<T>): Promise<T> {
  return client.paced ? client.paced(2, work) : work();
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
  write: MemberWrite,
  basis: Member,
  fresh: Member,
  options: ApplyOptions,
): Promise<{ body: RoleUpdate; owned: string[] }> {
  const { client, logger, deadline } = options;
  const targets: WriteTargets = {
    changes: new Map(write.changes.map((a) => [a.project, a.to as string])),
    managed: options.projects,
    pinnedGlobalRole: options.scope.globalRole,
  };
  const changed = write.changes.map((a) => a.project);
  const first = buildRoleUpdate(fresh, targets);
  try {
    await client.updateMemberRole(write.memberId, first.body);
    return first;
  } catch (error) {
    if (classify(error) !== 'uncertain') throw error;
    logger.warn(
      { email: write.email, member_id: write.memberId, err: messageOf(error) },
      'write outcome unknown; re-reading',
    );
    let now: Member | undefined;
    try {
      deadline.check(`re-reading ${write.email} after an uncertain write`);
      now = await readMember(client, basis);
    } catch (reread) {
      throw new OutcomeUnknown(
        `outcome unknown: ${messageOf(error)}; the member could not be re-read (${messageOf(reread)})`,
        { cause: reread },
      );
    }
    if (now && verifyWrittenMember(now, first.body, first.owned).length === 0) return first;
    if (!now || memberFingerprint(now, changed) !== memberFingerprint(basis, changed)) {
      throw new OutcomeUnknown(`outcome unknown: ${messageOf(error)}; the member changed meanwhile`);
    }
    deadline.check(`rewriting ${write.email}`);
    const again = buildRoleUpdate(now, targets);
    await client.updateMemberRole(write.memberId, again.body);
    return again;
  }
}

function markFailed(write: MemberWrite, detail: string, logger: Logger): void {
  for (const action of write.changes) {
    action.result = 'failed';
    action.detail = detail;
  }
  logger.error(
    {
      email: write.email,
      member_id: write.memberId,
      changes: write.changes.map((a) => ({ project: a.project, kind: a.kind })),
      detail,
    },
    'write failed',
  );
}

function writtenChanges(actions: Action[], sent: ReadonlyMap<string, unknown>): Action[] {
  return actions.filter((a) => isChange(a) && a.result === 'applied' && sent.has(a.memberId as string));
}

function markUnverified(actions: Action[], sent: ReadonlyMap<string, unknown>, detail: string): void {
  for (const action of writtenChanges(actions, sent)) action.detail = detail;
}

function markBlocked(write: MemberWrite, blocking: BlockingRole, logger: Logger): void {
  const detail =
    `GrowthBook refuses every write for this member: role "${blocking.role}" in project ${blocking.project} ` +
    'no longer exists (a deleted custom role?). The sync does not change other projects; fix or remove ' +
    'that entry in GrowthBook (runbook: "A write blocked by a deleted role in another project").';
  for (const action of write.changes) {
    action.result = 'failed';
    action.blockedBy = { ...blocking };
    action.detail = detail;
    logger.error(
      {
        email: action.email,
        member_id: action.memberId,
        kind: action.kind,
        managed_project: action.project,
        project: blocking.project,
        role: blocking.role,
        detail,
      },
      `${action.kind} blocked by a role that no longer exists in another project`,
    );
  }
}

/** Reads every written member back once and checks it against what was sent. */
async function verify(
  actions: Action[],
  sent: ReadonlyMap<string, { body: RoleUpdate; owned: string[] }>,
  options: ApplyOptions,
): Promise<void> {
  const { client, logger, deadline } = options;
  let after: Map<string, Member>;
  try {
    deadline.check('verifying the writes');
    after = new Map((await client.listMembers()).map((m) => [m.id, m]));
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    for (const write of groupWrites(writtenChanges(actions, sent))) {
      markFailed(write, `written, but could not be read back to verify: ${messageOf(error)}`, logger);
    }
    return;
  }
  for (const write of groupWrites(writtenChanges(actions, sent))) {
    const { body, owned } = sent.get(write.memberId) as { body: RoleUpdate; owned: string[] };
    const member = after.get(write.memberId);
    const problems = member ? verifyWrittenMember(member, body, owned) : ['member missing after the write'];
    if (problems.length > 0) markFailed(write, `verification failed: ${problems.join('; ')}`, logger);
  }
}
