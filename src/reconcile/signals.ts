// SIGTERM/SIGINT (pod eviction, an Airflow task kill, Ctrl-C). Installed first thing, before the
// program has even loaded, so that no signal ever kills the process by default.
// - Before the writes begin: stop at once, exit 5; nothing has been written.
// - During the writes: no further write starts; the one in flight finishes and is recorded (audit
//   line, report, metrics), then exit 5.
// - A second signal during the writes: still wait for the write in flight and record it (its outcome
//   must not be lost), but skip the read-back verification and end as soon as that is done.
import { writeSync } from 'node:fs';

const STOPPED = 5; // ExitCode.ApplyIncomplete; kept literal so this module loads nothing else

type Say = (message: string, signal: string) => void;

let installed = false;
let writing = false;
let received = 0;
let say: Say = (message) => {
  try {
    writeSync(2, `growthbook-ldap-sync: ${message}\n`);
  } catch {
    // stderr is gone: nothing to tell
  }
};

function onSignal(signal: NodeJS.Signals): void {
  received += 1;
  if (!writing) {
    say(`stopped by ${signal} before any write; nothing written`, signal);
    process.exit(STOPPED);
  }
  if (received === 1) {
    say(
      `signal received (${signal}): no further write starts; a write in flight finishes and is recorded, then the run stops`,
      signal,
    );
  } else {
    say(
      `signal received again (${signal}): the write in flight still finishes and is recorded; verification is skipped`,
      signal,
    );
  }
}

/** Idempotent. Call before anything else is loaded. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Where signal messages go once the run has a logger (JSON lines on stderr). */
export function sayThrough(log: Say): void {
  say = log;
}

/** From here on, a signal no longer ends the process at once: the applier stops between writes. */
export function writesBegin(): void {
  writing = true;
}

/** True after the first signal during the writes: start no further write. */
export const stopRequested = (): boolean => writing && received > 0;

/** True after a second signal during the writes: record the write in flight, then end without verifying. */
export const stopUrgently = (): boolean => writing && received > 1;
