// `explain <email-or-uid>`: why a person has, or would get, their role in the managed project —
// gate, every rule, groups — and what the plan would do with their GrowthBook member.
import { joinIdentities, normalizeEmail, type PersonRecord } from '../core/identity.js';
import { standingIn } from '../core/member-state.js';
import type { Member } from '../core/plan.js';
import { decisionFor, planActions } from '../core/plan-actions.js';
import { evaluateRules, gateGroupsHeld } from '../core/resolve-role.js';
import { collectSources } from '../sources/collect-sources.js';
import { type ContextRequest, loadContext } from './context.js';

export type Explanation = NonNullable<Awaited<ReturnType<typeof explainPerson>>>;

/** Null when no LDAP person and no GrowthBook member matches. */
export async function explainPerson(who: string, request: ContextRequest) {
  const ctx = loadContext(request);
  const collected = await collectSources(ctx.sources, ctx.policy, ctx.scope.project, ctx.logger);
  const people = joinIdentities(collected.directory, collected.posix, ctx.policy);

  const key = who.trim();
  const byUid = people.byUid.get(key);
  const persons: PersonRecord[] = byUid ? [byUid] : (people.byMail.get(normalizeEmail(key)) ?? []);
  const mails = new Set([normalizeEmail(key), ...persons.flatMap((p) => p.mails.map(normalizeEmail))]);
  const members = collected.members.filter((m) => mails.has(normalizeEmail(m.email)));
  if (persons.length === 0 && members.length === 0) return null;

  const actions = planActions({
    members: collected.members,
    people,
    policy: ctx.policy,
    scope: ctx.scope,
  }).filter(
    (a) => mails.has(normalizeEmail(a.email)) || (a.uid !== null && persons.some((p) => p.uid === a.uid)),
  );
  return {
    query: who,
    project: ctx.scope.project,
    gate: ctx.policy.gate,
    people: persons.map((p) => ({
      uid: p.uid,
      dn: p.dn,
      mail: p.mail,
      mails: p.mails,
      ldapGroups: p.ldapGroups,
      posixGroups: p.posixGroups,
      gate: { groups: ctx.policy.gate, held: gateGroupsHeld(p, ctx.policy) },
      rules: evaluateRules(p, ctx.policy).map((e) => ({
        id: e.rule.id,
        ldapGroup: e.rule.ldapGroup,
        posixAnyOf: e.rule.posixAnyOf ?? [],
        role: e.rule.role,
        matched: e.matched,
        why: e.why,
      })),
      decision: decisionFor(p, ctx.policy),
    })),
    ambiguous: persons.length > 1,
    members: members.map((m) => memberView(m, ctx.scope.project)),
    actions,
  };
}

function memberView(m: Member, project: string) {
  const standing = standingIn(m, project);
  return {
    id: m.id,
    email: m.email,
    globalRole: m.globalRole,
    projectEntry: standing.entry ? standing.entry.role : null,
    effective: standing.effective,
    drift: standing.drift,
    managedbyIdp: m.managedbyIdp,
  };
}
