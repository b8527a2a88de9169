// One interface for every source of truth the run reads (GrowthBook members, LDAP, data.yaml), and
// one wrapper that times each read, counts its requests and maps its failures to the source failure
// class. `plan`, `apply`, `explain` and `check` all read through the same wrapped sources.
import type { SourceName } from '../core/plan.js';
import { SourceReadError, SyncError } from '../errors.js';
import type { Logger } from '../observe/logger.js';

export interface Source<Query, Value> {
  readonly name: SourceName;
  /** Where it is read from, for logs and `check`; never a secret or a URL's query. */
  readonly target: string;
  read(query: Query): Promise<Value>;
  /**
   * What `check` reports: how the source was reached and what the read found. Called with no value
   * after a failed read (what is known of the connection is still worth showing); may make one more
   * cheap read of its own.
   */
  describe(value: Value | undefined, query: Query): Promise<Record<string, unknown>>;
  /** Requests or operations the last read made; absent when the source's client counts each request. */
  operations?(): number;
}

/** One request or operation against a source, for `gbsync_requests{target,status}`. */
export interface RequestRecord {
  target: SourceName;
  status: string;
}

export interface SourceObserver {
  logger: Logger;
  /** Where the requests of every read are recorded. */
  requests: RequestRecord[];
  now?: () => number;
}

/** Wraps a client failure into the source failure class, keeping deadline and typed errors as they are. */
export function asSourceError(source: SourceName, error: unknown): Error {
  if (error instanceof SyncError) return error;
  if (error instanceof Error) return new SourceReadError(source, error.message, { cause: error });
  return new SourceReadError(source, String(error));
}

export function observeSource<Query, Value>(
  source: Source<Query, Value>,
  observer: SourceObserver,
): Source<Query, Value> {
  const now = observer.now ?? Date.now;
  const record = (status: string, times: number) => {
    for (let i = 0; i < times; i++) observer.requests.push({ target: source.name, status });
  };
  const operations = () => {
    const n = source.operations?.();
    return typeof n === 'number' && n > 0 ? n : 1;
  };
  return {
    name: source.name,
    target: source.target,
    describe: (value, query) => source.describe(value, query),
    ...(source.operations ? { operations: () => source.operations?.() ?? 0 } : {}),
    async read(query) {
      const started = now();
      try {
        const value = await source.read(query);
        if (source.operations) record('ok', operations());
        observer.logger.debug({ source: source.name, ms: now() - started }, 'source read');
        return value;
      } catch (error) {
        if (source.operations) record('error', 1);
        observer.logger.debug({ source: source.name, ms: now() - started, ok: false }, 'source read');
        throw asSourceError(source.name, error);
      }
    },
  };
}
