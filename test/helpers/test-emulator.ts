// Injected faults: a queue of rules, each consumed by the requests it matches, first match first.
import type { Fault } from './types.js';

export interface FaultQueue {
  add(fault: Fault): void;
  clear(): void;
  /** The fault for this request, if any, counting it as used. */
  take(method: string, path: string, target: string): Fault | undefined;
}

export function createFaultQueue(initial: readonly Fault[] = []): FaultQueue {
  const queue: { fault: Fault; left: number }[] = [];
  const add = (fault: Fault) => queue.push({ fault, left: fault.times ?? 1 });
  for (const f of initial) add(f);
  return {
    add,
    clear: () => {
      queue.length = 0;
    },
    take(method, path, target) {
      const at = queue.findIndex(({ fault, left }) => left > 0 && matches(fault, method, path, target));
      const entry = queue[at];
      if (!entry) return undefined;
      entry.left -= 1;
      if (entry.left <= 0) queue.splice(at, 1);
      return entry.fault;
    },
  };
}

function matches(fault: Fault, method: string, path: string, target: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return path.startsWith(fault.path);
  fault.path.lastIndex = 0; // a /g or /y RegExp would otherwise remember its last match
  return fault.path.test(target);
}

/** Whether the fault answers in place of the server; otherwise it only delays and adds headers. */
export const answersRequest = (f: Fault): boolean =>
  f.drop === true || f.malformed === true || f.status !== undefined || f.body !== undefined;
