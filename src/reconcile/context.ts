// Builds a run's collaborators from the validated configuration and the environment: the logger,
// the deadline, the GrowthBook client and the three sources, each wrapped once by `observeSource`.
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { readApiKey, readDeadlineSeconds } from '../config/environment.js';
import { loadConfigFile } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import type { ManagedProject } from '../core/model.js';
import { type Scope, scopeOf } from '../core/scope.js';
import { ConfigError } from '../errors.js';
import { createGrowthBookClient, type GrowthBookClient } from '../growthbook/client.js';
import { createLogger, LOG_FORMATS, type LogFormat, type Logger, type LogLevel } from '../observe/logger.js';
import { NO_PROGRESS, type Progress, stderrProgress } from '../observe/progress.js';
import { setRunLogger } from '../observe/run-logger.js';
import type { SourceSet } from '../sources/collect-sources.js';
import { growthbookSource } from '../sources/growthbook-source.js';
import { ldapSource } from '../sources/ldap/ldap-source.js';
import { posixSource } from '../sources/posix/posix-source.js';
import { observeSource, type RequestRecord } from '../sources/source.js';
import { createDeadline, type Deadline } from '../util/deadline.js';
import { USER_AGENT } from '../version.js';

export type { RequestRecord } from '../sources/source.js';

export interface RunContext {
  runId: string;
  /** Every request the run made, by target and outcome. */
  requests: RequestRecord[];
  config: Config;
  logger: Logger;
  deadline: Deadline;
  client: GrowthBookClient;
  sources: SourceSet;
  scope: Scope;
  /** Every managed project with its policy, in configuration order. */
  projects: ManagedProject[];
  /** The progress line on a terminal; a no-op elsewhere. */
  progress: Progress;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export function resolveLogLevel(flag: string | undefined, fallback: LogLevel): LogLevel {
  const level = flag ?? process.env.GBSYNC_LOG_LEVEL ?? fallback;
  const known = LOG_LEVELS.find((l) => l === level);
  if (!known) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return known;
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

export function buildContext(
  config: Config,
  options: { logger: Logger; runId: string; env?: NodeJS.ProcessEnv; apiKey?: string; progress?: Progress },
): RunContext {
  const env = options.env ?? process.env;
  const progress = options.progress ?? NO_PROGRESS;
  let memberPages = 0;
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
      // A full member listing (not the by-e-mail reads before writes), page by page.
      if (e.method === 'GET' && e.path.startsWith('/api/v1/members?') && !e.path.includes('userEmail=')) {
        progress.update('GrowthBook members', `page ${++memberPages} read`);
      }
    },
    onWait: (ms, what) => progress.waiting(ms, waitReason(what)),
  });
  const observer = { logger, requests };
  const sources: SourceSet = {
    growthbook: observeSource(growthbookSource(client, config.growthbook.url), observer),
    ldap: observeSource(
      ldapSource(config.ldap, {
        env,
        deadline,
        logger,
        onBatch: (label, index, count) =>
          progress.update('LDAP', `people by ${label}, batch ${index} of ${count}`),
      }),
      observer,
    ),
    posix: observeSource(posixSource(config.posix, { deadline, userAgent: USER_AGENT }), observer),
  };
  return {
    runId: options.runId,
    requests,
    config,
    logger,
    deadline,
    client,
    sources,
    scope: scopeOf(config.growthbook),
    projects: config.projects.map((p) => ({ id: p.id, policy: p.policy })),
    progress,
  };
}

const waitReason = (what: string) =>
  /pacing/.test(what) ? 'pacing' : /rate-limit/.test(what) ? 'rate limit' : 'retry';

/** What the command line says about where the configuration is and how much to log. */
export interface ContextRequest {
  configPath?: string | undefined;
  logLevel?: string | undefined;
  /** --log-format json|ecs; wins over logging.format. */
  logFormat?: string | undefined;
  /** Output for people (a human table): on a terminal, a progress line is drawn on stderr. */
  forPeople?: boolean;
  /** The level when neither the flag nor GBSYNC_LOG_LEVEL says one. */
  fallbackLevel: LogLevel;
}

/** --log-format wins over logging.format; JSON lines by default. */
export function resolveLogFormat(flag: string | undefined, configured?: LogFormat): LogFormat {
  const format = flag ?? configured ?? 'json';
  const known = LOG_FORMATS.find((f) => f === format);
  if (!known) throw new ConfigError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got "${format}"`);
  return known;
}

/**
 * Reads the configuration (errors until then are plain text), then creates the run's logger, so
 * that every later error, configuration errors found in the environment included, is a log line.
 */
export function loadContext(request: ContextRequest): RunContext {
  const runId = randomUUID();
  const level = resolveLogLevel(request.logLevel, request.fallbackLevel);
  const config = loadConfigFile(configPath(request.configPath));
  const format = resolveLogFormat(request.logFormat, config.logging.format);
  // A progress line only for a person watching a terminal, and not among debug lines.
  const progress =
    request.forPeople === true && process.stderr.isTTY && level !== 'debug'
      ? stderrProgress(!('NO_COLOR' in process.env))
      : undefined;
  const logger = createLogger({
    runId,
    level,
    format,
    // Log lines go below the progress line: it is cleared first, and drawn again by the next update.
    ...(progress
      ? {
          destination: {
            write: (line: string) => {
              progress.clear();
              writeSync(2, line);
            },
          },
        }
      : {}),
  });
  setRunLogger(logger);
  return buildContext(config, { logger, runId, ...(progress ? { progress } : {}) });
}
