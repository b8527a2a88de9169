// The applier decides nothing: for each planned change, in plan order, it re-reads the member,
// refuses if the state the plan was made from no longer holds, writes, and records. Then it reads
// every written member back and verifies it.
import { buildRoleUpdate, type RoleUpdate, verifyWrittenMember } from '../core/build-role-update.js';
import { memberFingerprint } from '../core/member-state.js';
import type { Action, Member, Scope } from '../core/model.js';
import { isChange } from '../core/plan-actions.js';
import { DeadlineError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import type { Deadline } from '../util/deadline.js';

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
}

export type StopCause = 'deadline' | 'signal' | 'systemic-error' | null;

export interface ApplyOutcome {
  actions: Action[];
  applied: number;
  failed: number;
  /** Changes the run did not reach (they stay `planned`). */
  notAttempted: number;
  stoppedBy: StopCause;
  stopDetail: string | null;
}

/** An HTTP status that says the problem is not this one member (auth, permission, server, network). */
function isSystemic(error: unknown): boolean {
  if (error instanceof DeadlineError) return true;
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number') return true; // network failure or malformed answer
  return status === 401 || status === 403 || status === 429 || status >= 500;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function applyPlan(options: ApplyOptions): Promise<ApplyOutcome> {
  const { scope, client, deadline, logger } = options;
  const actions = options.actions.map((a) => ({ ...a }));
  const sent = new Map<string, RoleUpdate>();
  let stoppedBy: StopCause = null;
  let stopDetail: string | null = null;

  for (const action of actions) {
    if (!isChange(action)) continue;
    if (options.stopRequested()) {
      stoppedBy = 'signal';
      stopDetail = 'stopped by signal before this write';
      break;
    }
    const planned = options.planned.get(action.memberId);
    try {
      deadline.check(`writing ${action.email}`);
      if (!planned) throw new Error('member missing from the plan basis');
      // Read fresh, by GrowthBook's own spelling of the e-mail (its filter is exact).
      const fresh = (await client.listMembers({ userEmail: planned.email })).find(
        (m) => m.id === action.memberId,
      );
      if (!fresh) {
        markFailed(action, 'member no longer exists in GrowthBook; not written', logger);
        continue;
      }
      if (memberFingerprint(fresh, scope.project) !== memberFingerprint(planned, scope.project)) {
        markFailed(action, 'member changed since the plan was made (stale); not written', logger);
        continue;
      }
      const body = buildRoleUpdate(fresh, scope.project, action.to as string, scope.globalRole);
      await writeOnce(action, planned, body, options);
      sent.set(action.memberId, body);
      action.result = 'applied';
      logger.info(
        { email: action.email, member_id: action.memberId, kind: action.kind, to: action.to },
        'written',
      );
    } catch (error) {
      if (error instanceof DeadlineError) {
        stoppedBy = 'deadline';
        stopDetail = error.message;
        break;
      }
      markFailed(action, messageOf(error), logger);
      if (isSystemic(error)) {
        stoppedBy = 'systemic-error';
        stopDetail = messageOf(error);
        break;
      }
    }
  }

  if (sent.size > 0 && stoppedBy !== 'deadline') await verify(actions, sent, options);

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

/** A failure after which the write may or may not have landed (server error, lost connection). */
function isUncertain(error: unknown): boolean {
  if (error instanceof DeadlineError) return false;
  const status = (error as { status?: unknown }).status;
  return typeof status !== 'number' || status >= 500;
}

/**
 * Sends one write. When the outcome is uncertain, the member is re-read: if the write landed it
 * counts as applied; if the member is still exactly as planned, the write provably did not land and
 * is sent once more; anything else is reported, never guessed.
 */
async function writeOnce(
  action: Action,
  planned: Member,
  body: RoleUpdate,
  options: ApplyOptions,
): Promise<void> {
  const { client, scope, logger, deadline } = options;
  const id = action.memberId as string;
  try {
    await client.updateMemberRole(id, body);
    return;
  } catch (error) {
    if (!isUncertain(error)) throw error;
    logger.warn(
      { email: action.email, member_id: id, err: messageOf(error) },
      'write outcome unknown; re-reading',
    );
    deadline.check(`re-reading ${action.email}`);
    const now = (await client.listMembers({ userEmail: planned.email })).find((m) => m.id === id);
    if (now && verifyWrittenMember(now, body, scope.project).length === 0) return;
    if (!now || memberFingerprint(now, scope.project) !== memberFingerprint(planned, scope.project))
      throw error;
    deadline.check(`rewriting ${action.email}`);
    await client.updateMemberRole(id, body);
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
