// Structured logs on stderr (stdout carries only the plan document), as JSON lines or as Elastic
// Common Schema lines. Every line carries the run id so one run's lines can be found among many.
import pino, { type Logger } from 'pino';
import { ECS_NAMESPACE, ecsLoggerOptions } from './ecs-format.js';

export type { Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'ecs';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'ecs'];

export interface LoggerOptions {
  runId: string;
  level: LogLevel;
  /** json (default) or ecs. */
  format?: LogFormat;
  /** Where lines go; standard error by default. */
  destination?: NodeJS.WritableStream | { write(line: string): unknown };
}

// Belt and braces: secrets are never passed to the logger, and these paths are censored if they were.
const REDACT = [
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers',
];
// In ECS lines our fields sit one level down, under the custom namespace.
const REDACT_ECS = [
  ...REDACT,
  `${ECS_NAMESPACE}.headers`,
  `${ECS_NAMESPACE}.*.apiKey`,
  `${ECS_NAMESPACE}.*.password`,
];

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  const format = options.format ?? 'json';
  const formatOptions: pino.LoggerOptions =
    format === 'ecs'
      ? { ...ecsLoggerOptions(), redact: { paths: REDACT_ECS, censor: '[redacted]' } }
      : {
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
          redact: { paths: REDACT, censor: '[redacted]' },
        };
  return pino(
    { level: options.level, base: { sync_run_id: options.runId }, ...formatOptions },
    destination as pino.DestinationStream,
  );
}
