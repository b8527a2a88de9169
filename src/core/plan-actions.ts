// Planning: for each managed project, compare each in-scope member's effective access there with the
// target role that project's policy gives them, classify the difference, and order the changes so the
// most over-privileged lose access first.
import { normalizeEmail, type PeopleIndex, type PersonRecord } from './identity.js';
import { standingIn } from './member-state.js';
import { type Decision, type ManagedProject, NO_ACCESS, type Policy } from './model.js';
import {
  ACTION_KINDS,
  type Action,
  type ChangeKind,
  isChange,
  type Member,
  type SkipReason,
} from './plan.js';
import { rankOf, resolveRole } from './resolve-role.js';
import { isInEmailScope, isProtected, type Scope, scopeSkipOf } from './scope.js';

export interface PlanInput {
  members: readonly Member[];
  people: PeopleIndex;
  /** The managed projects, in configuration order; each is planned with its own policy. */
  projects: readonly ManagedProject[];
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
  const { members, people, projects, scope } = input;
  const membersPerMail = new Map<string, number>();
  for (const m of members) {
    const key = normalizeEmail(m.email);
    membersPerMail.set(key, (membersPerMail.get(key) ?? 0) + 1);
  }

  const actions: Action[] = [];
  for (const member of members) {
    const key = normalizeEmail(member.email);
    const candidates = people.byMail.get(key) ?? [];
    const soleUid = candidates.length === 1 ? (candidates[0]?.uid ?? null) : null;
    const skipAll = (reason: SkipReason, uid: string | null) => {
      for (const project of projects) {
        actions.push({
          kind: 'skip',
          project: project.id,
          email: member.email,
          memberId: member.id,
          uid,
          from: standingIn(member, project.id).effective,
          to: null,
          rule: null,
          ldapGroups: [],
          posixGroups: [],
          reason,
          detail: SKIP_TEXT[reason],
          result: 'planned',
        });
      }
    };
    // Scope is decided for the member, not per project: a member is written for all managed
    // projects or for none.
    const scopeSkip = scopeSkipOf(member, scope);
    if (scopeSkip) {
      skipAll(scopeSkip, soleUid);
      continue;
    }
    const duplicates = membersPerMail.get(key) ?? 0;
    const ambiguous = candidates.length > 1 || duplicates > 1;
    // Ambiguity forbids granting, never revoking: when no candidate is entitled in any managed
    // project, the member is planned toward noaccess like anyone else.
    if (
      ambiguous &&
      projects.some((p) => candidates.some((c) => resolveRole(c, p.policy).role !== NO_ACCESS))
    ) {
      skipAll('ambiguous-identity', null);
      continue;
    }
    for (const project of projects) {
      const { policy } = project;
      const decision = ambiguous
        ? ambiguousDecision(candidates, duplicates, policy)
        : decisionFor(candidates[0], policy);
      const standing = standingIn(member, project.id);
      const { kind, note } = classify(standing.effective, decision.role, standing.drift, policy);
      actions.push({
        kind,
        project: project.id,
        email: member.email,
        memberId: member.id,
        uid: ambiguous ? null : soleUid,
        from: standing.effective,
        to: decision.role,
        rule: decision.rule,
        ldapGroups: decision.ldapGroups,
        posixGroups: decision.posixGroups,
        reason: decision.reason + note,
        result: 'planned',
      });
    }
  }

  // Entitled people with no GrowthBook member yet: GrowthBook creates members at first SSO login.
  for (const person of people.people) {
    const keys = person.mails.map(normalizeEmail);
    if (keys.length === 0 || keys.some((k) => membersPerMail.has(k))) continue;
    if (keys.some((k) => (people.byMail.get(k)?.length ?? 0) > 1)) continue; // never grant the ambiguous
    const email = person.mails.find((m) => isInEmailScope(m, scope) && !isProtected(m, scope));
    if (email === undefined) continue;
    for (const project of projects) {
      const decision = resolveRole(person, project.policy);
      if (decision.role === NO_ACCESS) continue;
      actions.push({
        kind: 'pending',
        project: project.id,
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
  }

  return sortActions(actions, projects);
}

function ambiguousDecision(candidates: PersonRecord[], duplicates: number, policy: Policy): Decision {
  const reason =
    candidates.length > 1
      ? `e-mail matches ${candidates.length} LDAP people (${candidates.map((c) => c.uid).join(', ')}), none entitled`
      : candidates.length === 1
        ? `${resolveRole(candidates[0] as PersonRecord, policy).reason}; e-mail shared by ${duplicates} GrowthBook members`
        : `${NO_PERSON.reason}; e-mail shared by ${duplicates} GrowthBook members`;
  return { ...NO_PERSON, reason };
}

/**
 * Fail-closed order. Changes come first, grouped by member (one write carries all of a member's
 * changes), members ordered by their most severe change, then that change's current rank
 * (descending), then e-mail; within a member, by kind, then project order. The rest follows by kind,
 * current rank descending, e-mail and project order.
 */
export function sortActions(actions: readonly Action[], projects: readonly ManagedProject[]): Action[] {
  const policyOf = new Map(projects.map((p) => [p.id, p.policy]));
  const projectIndex = (a: Action) => projects.findIndex((p) => p.id === a.project);
  const rank = (a: Action) => {
    const policy = policyOf.get(a.project);
    return a.from === null || !policy ? -1 : rankOf(a.from, policy);
  };
  const kindIndex = (a: Action) => ACTION_KINDS.indexOf(a.kind);
  const keyOf = new Map<string, { kind: number; rank: number }>();
  for (const a of actions) {
    if (!isChange(a)) continue;
    const key = { kind: kindIndex(a), rank: rank(a) };
    const known = keyOf.get(a.memberId);
    if (!known || key.kind < known.kind || (key.kind === known.kind && key.rank > known.rank)) {
      keyOf.set(a.memberId, key);
    }
  }
  const leadOf = (a: Action) =>
    (isChange(a) ? keyOf.get(a.memberId) : undefined) ?? { kind: kindIndex(a), rank: rank(a) };
  return [...actions].sort((a, b) => {
    const [la, lb] = [leadOf(a), leadOf(b)];
    if (la.kind !== lb.kind) return la.kind - lb.kind;
    if (la.rank !== lb.rank) return lb.rank - la.rank;
    const ea = normalizeEmail(a.email);
    const eb = normalizeEmail(b.email);
    if (ea !== eb) return ea < eb ? -1 : 1;
    const ma = a.memberId ?? '';
    const mb = b.memberId ?? '';
    if (ma !== mb) return ma < mb ? -1 : 1;
    const k = kindIndex(a) - kindIndex(b);
    if (k !== 0) return k;
    return projectIndex(a) - projectIndex(b);
  });
}
