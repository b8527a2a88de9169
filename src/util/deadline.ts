// The run deadline (SYNC_DEADLINE_SECONDS). Every request, retry and sleep asks it first.
import { DeadlineError } from '../errors.js';
import { type Clock, systemClock } from './clock.js';

export interface Deadline {
  /** Milliseconds left; Infinity when the run has no deadline. */
  remainingMs(): number;
  /** Throws DeadlineError when the deadline has passed; `what` names the step that was about to start. */
  check(what: string): void;
  /** Throws DeadlineError, without sleeping, when a sleep of `ms` would end past the deadline. */
  checkSleep(ms: number, what: string): void;
}

export function createDeadline(seconds: number | undefined, clock: Clock = systemClock): Deadline {
  const end = seconds === undefined ? Number.POSITIVE_INFINITY : clock.now() + seconds * 1000;
  const remainingMs = () => end - clock.now();
  return {
    remainingMs,
    check(what) {
      if (remainingMs() <= 0) throw new DeadlineError(`run deadline reached before ${what}`);
    },
    checkSleep(ms, what) {
      if (ms >= remainingMs()) {
        throw new DeadlineError(
          `run deadline would pass while waiting ${Math.ceil(ms / 1000)}s before ${what}; stopping now`,
        );
      }
    },
  };
}

export const noDeadline: Deadline = createDeadline(undefined);
