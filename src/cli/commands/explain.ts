// `explain <email-or-uid>`: why a person has, or would get, their role — gate, every rule, groups,
// and what the plan would do with their GrowthBook member.
import { joinIdentities, normalizeEmail, type PersonRecord } from '../../core/identity.js';
import { standingIn } from '../../core/member-state.js';
import type { Action, Member } from '../../core/model.js';
import { decisionFor, planActions } from '../../core/plan-actions.js';
import { evaluateRules, gateGroupsHeld } from '../../core/resolve-role.js';
import { ExitCode } from '../../errors.js';
import { collectSources } from '../../sources/collect-sources.js';
import { type CommonOptions, loadContext } from '../context.js';
import { styler, useColor, writeStdout } from '../output.js';
import { parseFormat } from './sync.js';

export async function explainCommand(who: string, options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  const ctx = loadContext(options, format === 'human' && process.stderr.isTTY ? 'warn' : 'info');
  const collected = await collectSources(ctx.sources, ctx.policy, ctx.scope.project, ctx.logger);
  const people = joinIdentities(collected.directory, collected.posix, ctx.policy);

  const key = who.trim();
  const byUid = people.byUid.get(key);
  const persons: PersonRecord[] = byUid ? [byUid] : (people.byMail.get(normalizeEmail(key)) ?? []);
  const mails = new Set([normalizeEmail(key), ...persons.flatMap((p) => p.mails.map(normalizeEmail))]);
  const members = collected.members.filter((m) => mails.has(normalizeEmail(m.email)));
  if (persons.length === 0 && members.length === 0) {
    process.stderr.write(
      `growthbook-ldap-sync: no LDAP person (uid or mail) and no GrowthBook member matches "${who}"\n`,
    );
    return ExitCode.Usage;
  }

  const actions = planActions({
    members: collected.members,
    people,
    policy: ctx.policy,
    scope: ctx.scope,
  }).filter(
    (a) => mails.has(normalizeEmail(a.email)) || (a.uid !== null && persons.some((p) => p.uid === a.uid)),
  );
  const person = persons[0];
  const document = {
    query: who,
    project: ctx.scope.project,
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
  if (format === 'json') {
    await writeStdout(`${JSON.stringify(document)}\n`);
    return ExitCode.Ok;
  }
  const s = styler(useColor(process.stdout));
  const out: string[] = [];
  if (!person) out.push(`No LDAP person has the mail ${who}: target role noaccess.`);
  if (persons.length > 1)
    out.push(s.red(`${persons.length} LDAP people share this mail: never granted (ambiguous-identity).`));
  for (const p of document.people) {
    out.push(
      `${s.bold(`${p.uid}`)}  ${p.mails.length > 0 ? p.mails.join(', ') : '(no mail)'}  ${s.dim(p.dn)}`,
    );
    const gateOk = p.gate.held.length > 0;
    out.push(
      `  gate      POSIX ${ctx.policy.gate.join(' or ')}: ${gateOk ? s.green('held') : s.red('NOT held — every rule is overridden to noaccess')}`,
    );
    out.push(
      `  LDAP      ${p.ldapGroups.length > 0 ? p.ldapGroups.join(', ') : '(none of the policy groups)'}`,
    );
    out.push(
      `  POSIX     ${p.posixGroups.length > 0 ? p.posixGroups.join(', ') : '(none of the policy groups)'}`,
    );
    out.push('  rules');
    for (const r of p.rules) {
      const wins = p.gate.held.length > 0 && r.id === p.decision.rule;
      const mark = wins ? s.green(s.bold('wins ')) : r.matched ? s.green('match') : s.dim('  -  ');
      out.push(
        `    ${r.id.padEnd(3)} ${mark}  ${r.ldapGroup}${r.posixAnyOf.length ? ` + any of ${r.posixAnyOf.join(', ')}` : ''} → ${r.role}  ${s.dim(r.why)}`,
      );
    }
    out.push(`  decision  ${s.bold(p.decision.role)}  (${p.decision.reason})`);
  }
  for (const m of document.members) {
    out.push(
      '',
      `GrowthBook member ${m.id} ${m.email}: global role ${m.globalRole}; project entry ${m.projectEntry ?? 'none'}; effective ${m.effective}`,
    );
  }
  for (const a of actions) out.push(`plan      ${describeAction(a)}`);
  await writeStdout(`${out.join('\n')}\n`);
  return ExitCode.Ok;
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

function describeAction(a: Action): string {
  if (a.kind === 'skip') return `skip (${a.reason}): ${a.detail ?? ''}`;
  if (a.kind === 'noop') return `no change: ${a.to}`;
  if (a.kind === 'pending') return `pending: ${a.to} once the person has logged in to GrowthBook`;
  return `${a.kind}: ${a.from} → ${a.to} (${a.reason})`;
}
