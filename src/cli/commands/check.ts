// `check`: validates the configuration and reaches every source read-only; prints what it found.
import { ExitCode } from '../../errors.js';
import { checkSources } from '../../reconcile/check-sources.js';
import type { CommonOptions } from '../common-options.js';
import { styler, useColor, writeStdout } from '../output.js';
import { fallbackLevel, parseFormat } from './sync.js';

export async function checkCommand(options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  const {
    ok,
    project,
    projects,
    sources: checks,
    ignoredMembers,
  } = await checkSources({
    configPath: options.config,
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    fallbackLevel: fallbackLevel(format),
  });
  if (format === 'json') {
    await writeStdout(`${JSON.stringify({ ok, project, projects, sources: checks, ignoredMembers })}\n`);
  } else {
    const s = styler(useColor(process.stdout));
    const lines = ['Configuration: valid'];
    for (const c of checks) {
      lines.push(`${c.ok ? s.green('ok  ') : s.red('FAIL')}  ${c.source.padEnd(10)} ${c.target}`);
      if (c.error) lines.push(`      ${s.red(c.error)}`);
      for (const [k, v] of Object.entries(c.found)) {
        lines.push(
          `      ${k}: ${
            typeof v === 'object'
              ? Object.entries(v as object)
                  .map(([a, b]) => `${a} ${b}`)
                  .join(', ')
              : v
          }`,
        );
      }
    }
    // Each managed project: it exists, and every group its policy names was found.
    for (const p of projects) {
      lines.push(`${p.ok ? s.green('ok  ') : s.red('FAIL')}  ${'project'.padEnd(10)} ${p.id}`);
      lines.push(`      LDAP groups: ${p.ldapGroups.join(', ')}`);
      lines.push(`      POSIX groups: ${p.posixGroups.join(', ')}`);
      if (p.missing.length > 0) lines.push(`      ${s.red(`missing: ${p.missing.join(', ')}`)}`);
    }
    if (ignoredMembers.length > 0) {
      lines.push(`Ignored group members (not people; they grant nothing): ${ignoredMembers.length}`);
      for (const m of ignoredMembers) lines.push(`      ${m.group}  ${m.dn}  (${m.reason})`);
    }
    await writeStdout(`${lines.join('\n')}\n`);
  }
  return ok ? ExitCode.Ok : ExitCode.SourceUnreadable;
}
