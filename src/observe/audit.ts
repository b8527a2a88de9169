// One audit line per decision: who, what the sync decided, why (rule and groups) and what happened.
import type { Action, RunMode } from '../core/plan.js';
import type { Logger } from './logger.js';

export function auditAction(logger: Logger, action: Action, mode: RunMode): void {
  logger.info(
    {
      audit: true,
      mode,
      project: action.project,
      kind: action.kind,
      email: action.email,
      member_id: action.memberId,
      uid: action.uid,
      from: action.from,
      to: action.to,
      rule: action.rule,
      ldap_groups: action.ldapGroups,
      posix_groups: action.posixGroups,
      reason: action.reason,
      ...(action.detail ? { detail: action.detail } : {}),
      result: action.result,
    },
    'decision',
  );
}
