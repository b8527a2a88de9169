// `check`: validates the configuration and reaches every source read-only, reporting what it found.
// Every source is tried even when another fails, so one run shows every problem.
import { policyLdapGroups, policyPosixGroups } from '../../core/identity.js';
import type { Member } from '../../core/model.js';
import { ExitCode } from '../../errors.js';
import { requirePosixGroups } from '../../sources/posix/parse-data-yaml.js';
import { messageOf } from '../../util/message-of.js';
import { type CommonOptions, loadContext } from '../context.js';
import { styler, useColor, writeStdout } from '../output.js';
import { parseFormat } from './sync.js';

interface SourceCheck {
  source: 'growthbook' | 'ldap' | 'posix';
  ok: boolean;
  target: string;
  found: Record<string, unknown>;
  error?: string;
}

export async function checkCommand(options: CommonOptions): Promise<ExitCode> {
  const format = parseFormat(options.output);
  const ctx = loadContext(options, format === 'human' && process.stderr.isTTY ? 'warn' : 'info');
  const { config, client, policy } = ctx;

  let members: Member[] = [];
  const growthbook: SourceCheck = {
    source: 'growthbook',
    ok: false,
    target: config.growthbook.url,
    found: {},
  };
  try {
    const info = await client.info();
    const project = await client.getProject(config.growthbook.project);
    members = await client.listMembers();
    growthbook.ok = true;
    growthbook.found = {
      api: `${info.name} v${info.apiVersion}`,
      project: `${project.id} (${project.name})`,
      members: members.length,
      requests: client.stats().requests,
    };
  } catch (error) {
    growthbook.error = messageOf(error);
  }

  const posix: SourceCheck = {
    source: 'posix',
    ok: false,
    target: 'url' in config.posix ? (config.posix.url.split('?')[0] ?? '') : config.posix.file,
    found: {},
  };
  try {
    const read = await ctx.sources.readPosix();
    requirePosixGroups(read.groups, policyPosixGroups(policy), read.origin);
    posix.ok = true;
    posix.found = {
      groups: Object.keys(read.groups.groups).length,
      policyGroups: Object.fromEntries(
        policyPosixGroups(policy).map((g) => [g, read.groups.groups[g]?.length ?? 0]),
      ),
    };
  } catch (error) {
    posix.error = messageOf(error);
  }

  const ldapSource = ctx.sources.directory;
  const ldap: SourceCheck = {
    source: 'ldap',
    ok: false,
    target: ldapSource.description,
    found: {},
  };
  try {
    const directory = await ldapSource.read({
      groupNames: policyLdapGroups(policy),
      mails: members.map((m) => m.email),
    });
    ldap.ok = true;
    ldap.found = {
      groups: Object.fromEntries(
        directory.groups.map((g) => [g.name, g.memberDns.filter((d) => d.trim()).length]),
      ),
      people: directory.people.length,
      peopleWithMail: directory.people.filter((p) => p.mails.length > 0).length,
    };
  } catch (error) {
    ldap.error = messageOf(error);
  }
  // How the server was reached (TLS, bind, operations), on success and failure alike.
  ldap.found = { ...ldapSource.details?.(), ...ldap.found };

  const checks = [growthbook, ldap, posix];
  const ok = checks.every((c) => c.ok);
  if (format === 'json') {
    await writeStdout(`${JSON.stringify({ ok, project: config.growthbook.project, sources: checks })}\n`);
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
    await writeStdout(`${lines.join('\n')}\n`);
  }
  return ok ? ExitCode.Ok : ExitCode.SourceUnreadable;
}
