// One error class per failure class; each carries its exit code. `exitCodeOf` is the only place an
// error becomes a process exit status.
import type { SourceName } from './core/plan.js';

export const ExitCode = {
  Ok: 0,
  Internal: 1,
  BreakerTripped: 2,
  Usage: 3,
  SourceUnreadable: 4,
  ApplyIncomplete: 5,
  Deadline: 6,
  Locked: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class SyncError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** Bad configuration, flags or environment. Exit 3. */
export class ConfigError extends SyncError {
  override readonly name = 'ConfigError';
  readonly exitCode = ExitCode.Usage;
}

export type { SourceName } from './core/plan.js';

/** A source could not be read completely and correctly. Nothing is written. Exit 4. */
export class SourceReadError extends SyncError {
  override readonly name = 'SourceReadError';
  readonly exitCode = ExitCode.SourceUnreadable;
  constructor(
    readonly source: SourceName,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A write failed, was refused as stale, or verification found a mismatch. Exit 5. */
export class ApplyError extends SyncError {
  override readonly name = 'ApplyError';
  readonly exitCode = ExitCode.ApplyIncomplete;
}

/** The report could not be written to stdout (a full device, an I/O error). Exit 5. */
export class OutputError extends SyncError {
  override readonly name = 'OutputError';
  readonly exitCode = ExitCode.ApplyIncomplete;
}

/** SYNC_DEADLINE_SECONDS ran out. Exit 6. */
export class DeadlineError extends SyncError {
  override readonly name = 'DeadlineError';
  readonly exitCode = ExitCode.Deadline;
  constructor(detail = 'run deadline (SYNC_DEADLINE_SECONDS) reached') {
    super(detail);
  }
}

/** Another run holds the lock. Exit 7. */
export class LockedError extends SyncError {
  override readonly name = 'LockedError';
  readonly exitCode = ExitCode.Locked;
}

export const exitCodeOf = (error: unknown): ExitCode =>
  error instanceof SyncError ? error.exitCode : ExitCode.Internal;
