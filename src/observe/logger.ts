// Structured logs on stderr (stdout carries only the plan document), as JSON lines or as Elastic
// Common Schema lines. Every line carries the run id so one run's lines can be found among many.
import { writeSync } from 'node:fs';
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

/**
 * Standard error, written synchronously (a line is out before an exit). A full or broken stderr must
 * not turn logging into a crash in the middle of a run: the line is dropped, the run goes on.
 */
const stderrLines = {
  write(line: string) {
    let bytes = Buffer.from(line, 'utf8');
    for (let busy = 0; bytes.length > 0 && busy < 1000; ) {
      try {
        bytes = bytes.subarray(writeSync(2, bytes));
      } catch (error) {
        // A pipe that is full for now: wait a moment and go on (as pino's own destination does).
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return; // full or gone: drop the line
        busy += 1;
        Atomics.wait(PAUSE, 0, 0, 1);
      }
    }
  },
};
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? stderrLines;
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
