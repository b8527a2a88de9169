// The GrowthBook emulator with the tests' fault injection: a queue of faults, each consumed by the
// requests it matches (first match first), and a hold on writes to make them race. Both reach the emulator
// through its hooks; the product ships neither.
import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Emulator as BaseEmulator,
  type EmulatorOptions as BaseOptions,
  type Interception,
  startEmulator as startBaseEmulator,
} from '../../src/emulator/index.js';

/**
 * One injected fault. It matches a request by method and path and answers in place of the server,
 * before auth and the rate limiter (it stands for a proxy or network failure, so it is not counted).
 * With only `delayMs` the request is delayed and then handled normally.
 */
export interface Fault {
  method?: string;
  /** A string is a prefix of the path; a RegExp is tested against the path with its query string. */
  path?: string | RegExp;
  /** How many requests it affects; default 1, `Infinity` for all. */
  times?: number;
  status?: number;
  /** JSON body; default `{"message": <status text>}`. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: true;
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: true;
}

export interface EmulatorOptions extends BaseOptions {
  faults?: Fault[];
  /**
   * Runs between reading and writing back the whole members array on each write; a test holds
   * writes there to make them race. Default none, so writes cannot interleave.
   */
  beforeWrite?: () => Promise<void>;
}

export interface Emulator extends BaseEmulator {
  addFault(fault: Fault): void;
  clearFaults(): void;
}

export type { EmulatorSeed, SeedMember } from '../../src/emulator/index.js';

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { faults: initial = [], beforeWrite, ...base } = options;
  const queue = createFaultQueue(initial);
  const emulator = await startBaseEmulator({
    ...base,
    hooks: {
      ...base.hooks,
      intercept: async (request) => {
        const fault = queue.take(request.method, request.path, request.target);
        if (!fault) return base.hooks?.intercept?.(request);
        if (fault.delayMs) await sleep(fault.delayMs);
        return interceptionOf(fault);
      },
      ...(beforeWrite ? { beforeWrite } : {}),
    },
  });
  return Object.assign(emulator, { addFault: queue.add, clearFaults: queue.clear });
}

function interceptionOf(fault: Fault): Interception {
  if (fault.drop) return { kind: 'drop' };
  if (fault.malformed) {
    return {
      kind: 'raw',
      status: 200,
      headers: { ...fault.headers, 'Content-Type': 'application/json; charset=utf-8' },
      text: '{"members": [{"id": "u_',
    };
  }
  if (fault.status !== undefined || fault.body !== undefined) {
    const status = fault.status ?? 200;
    return {
      kind: 'answer',
      status,
      body: fault.body ?? { message: STATUS_CODES[status] ?? 'Injected fault' },
      ...(fault.headers ? { headers: fault.headers } : {}),
    };
  }
  return { kind: 'pass', ...(fault.headers ? { headers: fault.headers } : {}) };
}

interface FaultQueue {
  add(fault: Fault): void;
  clear(): void;
  /** The fault for this request, if any, counting it as used. */
  take(method: string, path: string, target: string): Fault | undefined;
}

function createFaultQueue(initial: readonly Fault[]): FaultQueue {
  const queue: { fault: Fault; left: number }[] = [];
  const add = (fault: Fault) => {
    queue.push({ fault, left: fault.times ?? 1 });
  };
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
