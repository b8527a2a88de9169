// Builds a run's collaborators from the validated configuration and the environment.
import { randomUUID } from 'node:crypto';
import { readApiKey, readDeadlineSeconds } from '../config/environment.js';
import { loadConfigFile } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import type { Policy, Scope } from '../core/model.js';
import { ConfigError } from '../errors.js';
import { createGrowthBookClient, type GrowthBookClient } from '../growthbook/client.js';
import { createLogger, type Logger, type LogLevel } from '../observe/logger.js';
import type { SourceSet } from '../sources/collect-sources.js';
import { createDirectorySource } from '../sources/ldap/create-directory-source.js';
import { readPosixGroups } from '../sources/posix/read-posix-groups.js';
import { createDeadline, type Deadline } from '../util/deadline.js';
import { USER_AGENT } from '../version.js';

export interface CommonOptions {
  config?: string;
  output?: string;
  logLevel?: string;
  overrideThreshold?: boolean;
  verbose?: boolean;
  /** plan --out FILE */
  out?: string;
  /** apply --plan FILE */
  plan?: string;
  /** --lock-file PATH */
  lockFile?: string;
}

export interface RunContext {
  runId: string;
  config: Config;
  logger: Logger;
  deadline: Deadline;
  client: GrowthBookClient;
  sources: SourceSet & { growthbook: GrowthBookClient };
  scope: Scope;
  policy: Policy;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export function resolveLogLevel(flag: string | undefined, fallback: LogLevel): LogLevel {
  const level = flag ?? process.env.GBSYNC_LOG_LEVEL ?? fallback;
  if (!LEVELS.includes(level))
    throw new ConfigError(`--log-level must be one of ${LEVELS.join(', ')}, got "${level}"`);
  return level as LogLevel;
}

export function configPath(flag: string | undefined): string {
  const path = flag ?? process.env.GBSYNC_CONFIG;
  if (!path) {
    throw new ConfigError(
      'no configuration: pass --config <file> or set GBSYNC_CONFIG (see README "Configuration")',
    );
  }
  return path;
}

export function scopeOf(config: Config): Scope {
  return {
    project: config.growthbook.project,
    globalRole: config.growthbook.globalRole,
    emailDomains: config.growthbook.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')),
    protectedEmails: config.growthbook.protectedEmails.map((e) => e.trim().toLowerCase()),
  };
}

export function buildContext(
  config: Config,
  options: { logger: Logger; runId: string; env?: NodeJS.ProcessEnv; apiKey?: string },
): RunContext {
  const env = options.env ?? process.env;
  const deadline = createDeadline(readDeadlineSeconds(env));
  const apiKey = options.apiKey ?? readApiKey(config.growthbook.apiKeyFile, env);
  const { logger } = options;
  const client = createGrowthBookClient({
    baseUrl: config.growthbook.url,
    apiKey,
    authScheme: config.growthbook.authScheme,
    requestsPerMinute: config.growthbook.requestsPerMinute,
    maxRetries: config.growthbook.maxRetries,
    deadline,
    onRequest: (e) => logger.debug({ target: 'growthbook', ...e }, 'request'),
  });
  const sources = {
    growthbook: client,
    directory: createDirectorySource(config.ldap, { env, deadline, logger }),
    readPosix: () => readPosixGroups(config.posix, { deadline, userAgent: USER_AGENT }),
  };
  return {
    runId: options.runId,
    config,
    logger,
    deadline,
    client,
    sources,
    scope: scopeOf(config),
    policy: config.policy,
  };
}

export function loadContext(options: CommonOptions, fallbackLevel: LogLevel): RunContext {
  const runId = randomUUID();
  const logger = createLogger({ runId, level: resolveLogLevel(options.logLevel, fallbackLevel) });
  const config = loadConfigFile(configPath(options.config));
  return buildContext(config, { logger, runId });
}
