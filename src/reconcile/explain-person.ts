// `explain <email-or-uid>`: why a person has, or would get, their role in every managed project —
// gate, every rule, groups — and what the plan would do with their GrowthBook member.
import { joinIdentities, normalizeEmail, type PersonRecord } from '../core/identity.js';
import { standingIn } from '../core/member-state.js';
import type { ManagedProject } from '../core/model.js';
import type { Member } from '../core/plan.js';
import { decisionFor, planActions } from '../core/plan-actions.js';
import { evaluateRules, gateGroupsHeld } from '../core/resolve-role.js';
import { collectSources } from '../sources/collect-sources.js';
import { type ContextRequest, loadContext } from './context.js';

export type Explanation = NonNullable<Awaited<ReturnType<typeof explainPerson>>>;

/** Null when no LDAP person and no GrowthBook member matches. */
export async function explainPerson(who: string, request: ContextRequest) {
  const ctx = loadContext(request);
  const { projects } = ctx;
  const collected = await collectSources(ctx.sources, projects, ctx.logger);
  const names = new Map(collected.projects.map((p) => [p.id, p.name]));
  const people = joinIdentities(
    collected.directory,
    collected.posix,
    projects.map((p) => p.policy),
  );

  const key = who.trim();
  const byUid = people.byUid.get(key);
  const persons: PersonRecord[] = byUid ? [byUid] : (people.byMail.get(normalizeEmail(key)) ?? []);
  const mails = new Set([normalizeEmail(key), ...persons.flatMap((p) => p.mails.map(normalizeEmail))]);
  const members = collected.members.filter((m) => mails.has(normalizeEmail(m.email)));
  if (persons.length === 0 && members.length === 0) return null;

  const actions = planActions({
    members: collected.members,
    people,
    projects,
    scope: ctx.scope,
  }).filter(
    (a) => mails.has(normalizeEmail(a.email)) || (a.uid !== null && persons.some((p) => p.uid === a.uid)),
  );
  return {
    query: who,
    projects: projects.map((p) => ({ id: p.id, name: names.get(p.id) ?? null })),
    people: persons.map((p) => ({
      uid: p.uid,
      dn: p.dn,
      mail: p.mail,
      mails: p.mails,
      ldapGroups: p.ldapGroups,
      posixGroups: p.posixGroups,
      // One decision per managed project, each by that project's policy.
      projects: projects.map(({ id, policy }) => ({
        id,
        gate: { groups: policy.gate, held: gateGroupsHeld(p, policy) },
        rules: evaluateRules(p, policy).map((e) => ({
          id: e.rule.id,
          ldapGroup: e.rule.ldapGroup,
          posixAnyOf: e.rule.posixAnyOf ?? [],
          role: e.rule.role,
          matched: e.matched,
          why: e.why,
        })),
        decision: decisionFor(p, policy),
      })),
    })),
    ambiguous: persons.length > 1,
    members: members.map((m) => memberView(m, projects)),
    actions,
  };
}

function memberView(m: Member, projects: readonly ManagedProject[]) {
  return {
    id: m.id,
    email: m.email,
    globalRole: m.globalRole,
    managedbyIdp: m.managedbyIdp,
    projects: projects.map(({ id }) => {
      const standing = standingIn(m, id);
      return {
        id,
        projectEntry: standing.entry ? standing.entry.role : null,
        effective: standing.effective,
        drift: standing.drift,
      };
    }),
  };
}
