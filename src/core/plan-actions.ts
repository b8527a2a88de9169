// Planning: compare each in-scope member's effective access in the project with their target role,
// classify the difference, and order the changes so the most over-privileged lose access first.
import { normalizeEmail, type PeopleIndex, type PersonRecord } from './identity.js';
import { standingIn } from './member-state.js';
import { type Decision, NO_ACCESS, type Policy } from './model.js';
import { ACTION_KINDS, type Action, type ChangeKind, type Member, type SkipReason } from './plan.js';
import { rankOf, resolveRole } from './resolve-role.js';
import { isInEmailScope, isProtected, type Scope, scopeSkipOf } from './scope.js';

export interface PlanInput {
  members: readonly Member[];
  people: PeopleIndex;
  policy: Policy;
  scope: Scope;
}

const SKIP_TEXT: Record<SkipReason, string> = {
  'protected-email': 'protected e-mail (growthbook.protectedEmails): never written',
  'outside-email-domains': 'e-mail outside growthbook.emailDomains: not managed',
  'managed-by-idp': 'managed by an identity provider (SCIM): GrowthBook refuses updates',
  'global-admin': 'global role admin (organization owner or the sync key holder): not managed',
  'ambiguous-identity': 'e-mail matches more than one identity: never granted',
};

const NO_PERSON: Decision = {
  role: NO_ACCESS,
  rule: null,
  ldapGroups: [],
  posixGroups: [],
  reason: 'no LDAP person has this e-mail',
};

export function decisionFor(person: PersonRecord | undefined, policy: Policy): Decision {
  return person ? resolveRole(person, policy) : NO_PERSON;
}

function classify(
  effective: string,
  target: string,
  drift: string[],
  policy: Policy,
): { kind: ChangeKind | 'noop'; note: string } {
  const driftNote = drift.length > 0 ? `; managed entry drifted (${drift.join(', ')})` : '';
  if (target === NO_ACCESS) {
    if (effective !== NO_ACCESS) return { kind: 'revoke', note: '' };
    return drift.length > 0 ? { kind: 'downgrade', note: driftNote } : { kind: 'noop', note: '' };
  }
  if (effective === NO_ACCESS) return { kind: 'grant', note: '' };
  const from = rankOf(effective, policy);
  const to = rankOf(target, policy);
  if (to < from) return { kind: 'downgrade', note: '' };
  if (to > from) return { kind: 'upgrade', note: '' };
  // Same rank: a drifting managed entry still carries more than the owned shape.
  return drift.length > 0 ? { kind: 'downgrade', note: driftNote } : { kind: 'noop', note: '' };
}

export function planActions(input: PlanInput): Action[] {
  const { members, people, policy, scope } = input;
  const membersPerMail = new Map<string, number>();
  for (const m of members) {
    const key = normalizeEmail(m.email);
    membersPerMail.set(key, (membersPerMail.get(key) ?? 0) + 1);
  }

  const actions: Action[] = [];
  for (const member of members) {
    const standing = standingIn(member, scope.project);
    const key = normalizeEmail(member.email);
    const candidates = people.byMail.get(key) ?? [];
    const skip = (reason: SkipReason, uid: string | null): Action => ({
      kind: 'skip',
      email: member.email,
      memberId: member.id,
      uid,
      from: standing.effective,
      to: null,
      rule: null,
      ldapGroups: [],
      posixGroups: [],
      reason,
      detail: SKIP_TEXT[reason],
      result: 'planned',
    });
    const scopeSkip = scopeSkipOf(member, scope);
    if (scopeSkip) {
      actions.push(skip(scopeSkip, candidates.length === 1 ? (candidates[0]?.uid ?? null) : null));
      continue;
    }
    let decision: Decision;
    let uid: string | null = candidates.length === 1 ? (candidates[0]?.uid ?? null) : null;
    const duplicates = membersPerMail.get(key) ?? 0;
    if (candidates.length > 1 || duplicates > 1) {
      // Ambiguity forbids granting, never revoking: when no candidate is entitled, the member is
      // planned toward noaccess like anyone else.
      if (candidates.some((c) => resolveRole(c, policy).role !== NO_ACCESS)) {
        actions.push(skip('ambiguous-identity', null));
        continue;
      }
      uid = null;
      decision = {
        ...NO_PERSON,
        reason:
          candidates.length > 1
            ? `e-mail matches ${candidates.length} LDAP people (${candidates.map((c) => c.uid).join(', ')}), none entitled`
            : candidates.length === 1
              ? `${resolveRole(candidates[0] as PersonRecord, policy).reason}; e-mail shared by ${duplicates} GrowthBook members`
              : `${NO_PERSON.reason}; e-mail shared by ${duplicates} GrowthBook members`,
      };
    } else {
      decision = decisionFor(candidates[0], policy);
    }
    const { kind, note } = classify(standing.effective, decision.role, standing.drift, policy);
    actions.push({
      kind,
      email: member.email,
      memberId: member.id,
      uid,
      from: standing.effective,
      to: decision.role,
      rule: decision.rule,
      ldapGroups: decision.ldapGroups,
      posixGroups: decision.posixGroups,
      reason: decision.reason + note,
      result: 'planned',
    });
  }

  // Entitled people with no GrowthBook member yet: GrowthBook creates members at first SSO login.
  for (const person of people.people) {
    const keys = person.mails.map(normalizeEmail);
    if (keys.length === 0 || keys.some((k) => membersPerMail.has(k))) continue;
    if (keys.some((k) => (people.byMail.get(k)?.length ?? 0) > 1)) continue; // never grant the ambiguous
    const email = person.mails.find((m) => isInEmailScope(m, scope) && !isProtected(m, scope));
    if (email === undefined) continue;
    const decision = resolveRole(person, policy);
    if (decision.role === NO_ACCESS) continue;
    actions.push({
      kind: 'pending',
      email,
      memberId: null,
      uid: person.uid,
      from: null,
      to: decision.role,
      rule: decision.rule,
      ldapGroups: decision.ldapGroups,
      posixGroups: decision.posixGroups,
      reason: `${decision.reason}; no GrowthBook member yet (created at first SSO login)`,
      result: 'planned',
    });
  }

  return sortActions(actions, policy);
}

/** Fail-closed order: kind, then current rank descending, then e-mail. */
export function sortActions(actions: Action[], policy: Policy): Action[] {
  return [...actions].sort((a, b) => {
    const k = ACTION_KINDS.indexOf(a.kind) - ACTION_KINDS.indexOf(b.kind);
    if (k !== 0) return k;
    const ra = a.from === null ? -1 : rankOf(a.from, policy);
    const rb = b.from === null ? -1 : rankOf(b.from, policy);
    if (ra !== rb) return rb - ra;
    const ea = normalizeEmail(a.email);
    const eb = normalizeEmail(b.email);
    if (ea !== eb) return ea < eb ? -1 : 1;
    return (a.memberId ?? '') < (b.memberId ?? '') ? -1 : 1;
  });
}
