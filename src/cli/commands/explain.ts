// `explain <email-or-uid>`: prints why a person has, or would get, their role in every managed project.
import type { Action } from '../../core/plan.js';
import { ExitCode } from '../../errors.js';
import { reportFatal } from '../../observe/run-logger.js';
import { explainPerson } from '../../reconcile/explain-person.js';
import type { CommonOptions } from '../common-options.js';
import { styler, useColor, writeStdout } from '../output.js';
import { fallbackLevel, parseFormat } from './sync.js';

export async function explainCommand(who: string, options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  const explained = await explainPerson(who, {
    configPath: options.config,
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    fallbackLevel: fallbackLevel(format),
  });
  if (!explained) {
    await reportFatal(`no LDAP person (uid or mail) and no GrowthBook member matches "${who}"`);
    return ExitCode.Usage;
  }
  const document = explained;
  const { actions } = document;
  if (format === 'json') {
    await writeStdout(`${JSON.stringify(document)}\n`);
    return ExitCode.Ok;
  }
  const persons = document.people;
  const person = persons[0];
  const s = styler(useColor(process.stdout));
  const out: string[] = [];
  if (!person) out.push(`No LDAP person has the mail ${who}: target role noaccess.`);
  if (persons.length > 1)
    out.push(s.red(`${persons.length} LDAP people share this mail: never granted (ambiguous-identity).`));
  const several = document.projects.length > 1;
  const label = (id: string) => {
    const name = document.projects.find((p) => p.id === id)?.name;
    return name ? `${id} (${name})` : id;
  };
  for (const p of document.people) {
    out.push(
      `${s.bold(`${p.uid}`)}  ${p.mails.length > 0 ? p.mails.join(', ') : '(no mail)'}  ${s.dim(p.dn)}`,
    );
    out.push(
      `  LDAP      ${p.ldapGroups.length > 0 ? p.ldapGroups.join(', ') : '(none of the policy groups)'}`,
    );
    out.push(
      `  POSIX     ${p.posixGroups.length > 0 ? p.posixGroups.join(', ') : '(none of the policy groups)'}`,
    );
    // Every managed project, each decided by its own policy.
    for (const project of p.projects) {
      const indent = several ? '    ' : '  ';
      if (several) out.push(`  ${s.bold(`project ${label(project.id)}`)}`);
      const gateOk = project.gate.held.length > 0;
      out.push(
        `${indent}gate      POSIX ${project.gate.groups.join(' or ')}: ${gateOk ? s.green('held') : s.red('NOT held — every rule is overridden to noaccess')}`,
      );
      out.push(`${indent}rules`);
      for (const r of project.rules) {
        const wins = gateOk && r.id === project.decision.rule;
        const mark = wins ? s.green(s.bold('wins ')) : r.matched ? s.green('match') : s.dim('  -  ');
        out.push(
          `${indent}  ${r.id.padEnd(3)} ${mark}  ${r.ldapGroup}${r.posixAnyOf.length ? ` + any of ${r.posixAnyOf.join(', ')}` : ''} → ${r.role}  ${s.dim(r.why)}`,
        );
      }
      out.push(`${indent}decision  ${s.bold(project.decision.role)}  (${project.decision.reason})`);
    }
  }
  for (const m of document.members) {
    out.push('', `GrowthBook member ${m.id} ${m.email}: global role ${m.globalRole}`);
    for (const p of m.projects) {
      out.push(
        `  ${several ? `${p.id}: ` : ''}project entry ${p.projectEntry ?? 'none'}; effective ${p.effective}${p.drift.length > 0 ? ` (drift: ${p.drift.join(', ')})` : ''}`,
      );
    }
  }
  for (const a of actions) out.push(`plan      ${several ? `${a.project}: ` : ''}${describeAction(a)}`);
  await writeStdout(`${out.join('\n')}\n`);
  return ExitCode.Ok;
}

function describeAction(a: Action): string {
  if (a.kind === 'skip') return `skip (${a.reason}): ${a.detail ?? ''}`;
  if (a.kind === 'noop') return `no change: ${a.to}`;
  if (a.kind === 'pending') return `pending: ${a.to} once the person has logged in to GrowthBook`;
  return `${a.kind}: ${a.from} → ${a.to} (${a.reason})`;
}
