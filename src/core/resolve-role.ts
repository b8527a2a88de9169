// Policy resolution: the gate is an override applied before the max, never one of its inputs.
import { sameGroupName } from './identity.js';
import { type Decision, NO_ACCESS, type Policy, type PolicyRule, type RoleId } from './model.js';

export interface Holdings {
  /** LDAP group names the person is in (any case). */
  ldapGroups: readonly string[];
  /** POSIX group names the person is in (exact, as in data.yaml). */
  posixGroups: readonly string[];
}

export interface RuleEvaluation {
  rule: PolicyRule;
  matched: boolean;
  /** The qualifying POSIX group that held, when the rule has qualifiers and one held. */
  qualifier: string | null;
  why: string;
}

/** Rank of a role in the policy; a role outside `rank` ranks above every ranked role. */
export const rankOf = (role: RoleId, policy: Policy): number => {
  const i = policy.rank.indexOf(role);
  return i < 0 ? policy.rank.length : i;
};

export function gateGroupsHeld(holdings: Holdings, policy: Policy): string[] {
  return policy.gate.filter((g) => holdings.posixGroups.includes(g));
}

export function evaluateRules(holdings: Holdings, policy: Policy): RuleEvaluation[] {
  return policy.rules.map((rule) => {
    const inGroup = holdings.ldapGroups.some((g) => sameGroupName(g, rule.ldapGroup));
    const qualifiers = rule.posixAnyOf ?? [];
    const qualifier = qualifiers.find((q) => holdings.posixGroups.includes(q)) ?? null;
    if (!inGroup) {
      return { rule, matched: false, qualifier, why: `not in LDAP group ${rule.ldapGroup}` };
    }
    if (qualifiers.length > 0 && qualifier === null) {
      return {
        rule,
        matched: false,
        qualifier,
        why: `in ${rule.ldapGroup} but in none of POSIX ${qualifiers.join(', ')}`,
      };
    }
    const via = qualifier ? ` + POSIX ${qualifier}` : '';
    return { rule, matched: true, qualifier, why: `in LDAP ${rule.ldapGroup}${via}` };
  });
}

export function resolveRole(holdings: Holdings, policy: Policy): Decision {
  const heldConfigured = policy.rules
    .map((r) => r.ldapGroup)
    .filter((g, i, all) => all.findIndex((x) => sameGroupName(x, g)) === i)
    .filter((g) => holdings.ldapGroups.some((h) => sameGroupName(h, g)));
  const gate = gateGroupsHeld(holdings, policy);
  if (gate.length === 0) {
    return {
      role: NO_ACCESS,
      rule: null,
      ldapGroups: heldConfigured,
      posixGroups: [],
      reason: `not in gate POSIX group ${policy.gate.join(' or ')}`,
    };
  }
  let best: RuleEvaluation | null = null;
  for (const evaluation of evaluateRules(holdings, policy)) {
    if (!evaluation.matched) continue;
    // Strictly higher rank wins; on a tie the earlier rule keeps provenance.
    if (best === null || rankOf(evaluation.rule.role, policy) > rankOf(best.rule.role, policy)) {
      best = evaluation;
    }
  }
  if (best === null) {
    return {
      role: NO_ACCESS,
      rule: null,
      ldapGroups: heldConfigured,
      posixGroups: gate,
      reason: 'no rule matched',
    };
  }
  const posixGroups = best.qualifier ? [...gate, best.qualifier] : gate;
  return {
    role: best.rule.role,
    rule: best.rule.id,
    ldapGroups: [best.rule.ldapGroup],
    posixGroups,
    reason: `rule ${best.rule.id}: ${best.why} → ${best.rule.role}`,
  };
}
