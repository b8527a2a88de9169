// The command line. Parses flags, runs one command, prints, and exits with the documented code.
// Each command's code is imported when that command runs: `--version` and `--help` load nothing
// else, and only `demo` loads the GrowthBook emulator.
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, ExitCode, exitCodeOf } from '../errors.js';
import { installProxyFromEnvironment } from '../http/http-proxy.js';
import { reportFatal } from '../observe/run-logger.js';
import { VERSION } from '../version.js';
import type { CommonOptions } from './common-options.js';
import { writeStderr } from './output.js';
import { commandNames, unknownCommandIn } from './unknown-command.js';

const EXIT_CODES = `
Exit codes:
  0  done: nothing to do, or everything applied and verified
  1  unexpected internal error
  2  circuit breaker tripped: nothing written (the JSON plan is still printed)
  3  configuration or usage error
  4  a source (LDAP, data.yaml, GrowthBook) could not be read: nothing written
  5  apply incomplete or verification failed, or stopped by SIGTERM/SIGINT
  6  run deadline (SYNC_DEADLINE_SECONDS) reached
  7  another run holds the lock`;

const ENVIRONMENT = `
Environment:
  GROWTHBOOK_LDAP_SYNC_API_KEY  GrowthBook secret API key with the admin role (or growthbook.apiKeyFile)
  LDAP_BIND_PASSWORD            password for ldap.bindDn (anonymous bind when absent)
  LDAP_CA_CERT_PATH             CA bundle for LDAP TLS (default: the system bundle)
  SYNC_DEADLINE_SECONDS         stop cleanly (exit 6) when the run takes longer
  HTTPS_PROXY, HTTP_PROXY       forward proxy for GrowthBook, gitiles and Pushgateway requests
  NO_PROXY                      hosts reached directly (loopback always is)
  GBSYNC_CONFIG                 configuration file when --config is not given
  GBSYNC_LOG_LEVEL              debug|info|warn|error|silent (logs are JSON or ECS lines on stderr)`;

function withCommonOptions(
  command: Command,
  { sync, lock = sync }: { sync: boolean; lock?: boolean },
): Command {
  command
    .option('-c, --config <file>', 'configuration file (default: $GBSYNC_CONFIG)')
    .addOption(
      new Option('-o, --output <format>', 'human (default on a terminal) or json').choices(['human', 'json']),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'stderr log lines: json (default) or ecs (Elastic Common Schema)',
      ).choices(['json', 'ecs']),
    )
    .addOption(
      new Option('--log-level <level>', 'stderr log level').choices([
        'debug',
        'info',
        'warn',
        'error',
        'silent',
      ]),
    );
  if (sync) {
    if (lock)
      command.option('--lock-file <path>', 'refuse to run (exit 7) while another run holds this lock');
    command
      .option('--override-threshold', 'let this one run exceed the circuit breaker (revoke/downgrade limits)')
      .option('-v, --verbose', 'human output: also list unchanged members');
  }
  return command;
}

export function buildProgram(run: (work: () => Promise<ExitCode>) => void): Command {
  const program = new Command('growthbook-ldap-sync')
    .description(
      "Makes each GrowthBook member's role in one managed project match LDAP groups and puppet " +
        'data.yaml POSIX groups. Reads in parallel, plans, checks a circuit breaker, then (apply) ' +
        'writes serially in a fail-closed order and verifies. Writes only ' +
        'POST /api/v1/members/{id}/role; never deletes members.',
    )
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', `${ENVIRONMENT}\n${EXIT_CODES}\n\nStart with: growthbook-ldap-sync demo`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  withCommonOptions(
    program
      .command('plan', { isDefault: true })
      .description('collect, resolve, plan and check safety; print the plan; write nothing (the default)'),
    { sync: true },
  )
    .option('--out <file>', 'also save the plan, with the member states it was made from, for apply --plan')
    .option(
      '--publish-metrics',
      'publish the run metrics as apply does (metrics.textfile, metrics.pushgatewayUrl): for a scheduled dry run',
    )
    .action((o: CommonOptions) =>
      run(async () => (await import('./commands/sync.js')).syncCommand('plan', o)),
    );

  withCommonOptions(
    program
      .command('apply')
      .description('plan, then apply the changes in order and verify them by reading back'),
    { sync: true },
  )
    .option(
      '--plan <file>',
      'apply exactly this saved plan; refused (exit 5, nothing written) when it is older than ' +
        'safety.maxPlanAgeSeconds or the members or sources changed since',
    )
    .action((o: CommonOptions) =>
      run(async () => (await import('./commands/sync.js')).syncCommand('apply', o)),
    );

  withCommonOptions(
    program
      .command('explain')
      .argument('<email-or-uid>', 'an LDAP uid (shell name) or an e-mail address')
      .description('why a person has, or would get, their role: gate, every rule, groups, planned action'),
    { sync: false },
  ).action((who: string, o: CommonOptions) =>
    run(async () => (await import('./commands/explain.js')).explainCommand(who, o)),
  );

  withCommonOptions(
    program
      .command('check')
      .description('validate the configuration and reach every source read-only; report what was found'),
    { sync: false },
  ).action((o: CommonOptions) => run(async () => (await import('./commands/check.js')).checkCommand(o)));

  withCommonOptions(
    program
      .command('demo')
      .description(
        'run plan, apply and plan again against an embedded GrowthBook emulator and sample data (human output unless --output json)',
      ),
    { sync: true, lock: false },
  ).action((o: CommonOptions) => run(async () => (await import('./commands/demo.js')).demoCommand(o)));

  return program;
}

async function finish(work: () => Promise<ExitCode>): Promise<never> {
  let code: ExitCode;
  try {
    code = await work();
  } catch (error) {
    code = exitCodeOf(error);
    // The applier reports its own failures in the document; an error that reaches here came first.
    const note =
      code === ExitCode.SourceUnreadable || code === ExitCode.Deadline ? ' (nothing was written)' : '';
    await reportFatal(error, { note, internal: code === ExitCode.Internal });
  }
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  // Before any command runs, so every request of the process honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY.
  await installProxyFromEnvironment(process.env);
  let pending: Promise<never> | undefined;
  const program = buildProgram((work) => {
    pending = finish(work);
  });
  const unknown = unknownCommandIn(program, argv.slice(2));
  if (unknown !== undefined) {
    await writeStderr(
      `growthbook-ldap-sync: unknown command "${unknown}"; the commands are ${commandNames(program).join(', ')} ` +
        '(run with --help for usage)\n',
    );
    process.exit(ExitCode.Usage);
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exit(ok ? ExitCode.Ok : ExitCode.Usage);
    }
    throw error;
  }
  if (pending) await pending;
}

main(process.argv).catch(async (error: unknown) => {
  const usage = error instanceof ConfigError;
  await reportFatal(error, { internal: !usage });
  process.exit(usage ? ExitCode.Usage : ExitCode.Internal);
});
