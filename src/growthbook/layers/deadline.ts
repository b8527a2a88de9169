// The run deadline: asked before every request and before every sleep, so the run stops cleanly
// (exit 6) instead of being killed by the scheduler in the middle of something.
import { DeadlineError } from '../../errors.js';
import type { Clock } from '../../util/clock.js';
import type { Deadline } from '../../util/deadline.js';
import { GrowthBookNetworkError } from '../errors.js';
import type { Layer } from '../types.js';

/** A sleep that refuses (DeadlineError, without sleeping) when it would end past the deadline. */
export type Wait = (ms: number, what: string) => Promise<void>;

export function deadlineWait(deadline: Deadline, clock: Clock): Wait {
  return async (ms, what) => {
    if (ms <= 0) return;
    deadline.checkSleep(ms, what);
    await clock.sleep(ms);
  };
}

export function withDeadline(deadline: Deadline): Layer {
  return (next) => async (req) => {
    const what = `${req.method} ${req.path}`;
    deadline.check(what);
    // A read may be cut short at the deadline; a write in flight is left to finish or time out,
    // since abandoning it would leave its outcome unknown.
    const remaining = deadline.remainingMs();
    const capped = req.method === 'GET' && req.timeoutMs !== undefined && remaining < req.timeoutMs;
    if (!capped) return next(req);
    try {
      return await next({ ...req, timeoutMs: Math.max(1, remaining) });
    } catch (error) {
      if (error instanceof GrowthBookNetworkError && error.timedOut && deadline.remainingMs() <= 0) {
        throw new DeadlineError(`run deadline reached during ${what}`);
      }
      throw error;
    }
  };
}
