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
import type { DirectorySource } from '../sources/ldap/directory-source.js';
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

/** One request or operation against a source, for `gbsync_requests{target,status}`. */
export interface RequestRecord {
  target: 'growthbook' | 'ldap' | 'posix';
  status: string;
}

export interface RunContext {
  runId: string;
  /** Every request the run made, by target and outcome. */
  requests: RequestRecord[];
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
  const requests: RequestRecord[] = [];
  const client = createGrowthBookClient({
    baseUrl: config.growthbook.url,
    apiKey,
    authScheme: config.growthbook.authScheme,
    requestsPerMinute: config.growthbook.requestsPerMinute,
    maxRetries: config.growthbook.maxRetries,
    deadline,
    onRequest: (e) => {
      requests.push({ target: 'growthbook', status: e.status === null ? 'network-error' : String(e.status) });
      logger.debug({ target: 'growthbook', ...e }, 'request');
    },
  });
  const sources = {
    growthbook: client,
    directory: recordedDirectory(createDirectorySource(config.ldap, { env, deadline, logger }), requests),
    readPosix: () =>
      readPosixGroups(config.posix, { deadline, userAgent: USER_AGENT }).then(
        (read) => {
          requests.push({ target: 'posix', status: 'ok' });
          return read;
        },
        (error: unknown) => {
          requests.push({ target: 'posix', status: 'error' });
          throw error;
        },
      ),
  };
  return {
    runId: options.runId,
    requests,
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

/** Counts a directory read as its LDAP operations (one for a file), ok or failed. */
function recordedDirectory(source: DirectorySource, requests: RequestRecord[]): DirectorySource {
  const operations = () => {
    const n = source.details?.().operations;
    return typeof n === 'number' && n > 0 ? n : 1;
  };
  return {
    description: source.description,
    ...(source.details ? { details: () => source.details?.() ?? {} } : {}),
    async read(request) {
      try {
        const directory = await source.read(request);
        for (let i = 0; i < operations(); i++) requests.push({ target: 'ldap', status: 'ok' });
        return directory;
      } catch (error) {
        requests.push({ target: 'ldap', status: 'error' });
        throw error;
      }
    },
  };
}
