// Structured JSON logs on stderr (stdout carries only the plan document). Every line carries the
// run id so one run's lines can be found among many.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  runId: string;
  level: LogLevel;
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

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level,
      base: { sync_run_id: options.runId },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination as pino.DestinationStream,
  );
}
