// startEmulator: a GrowthBook API on loopback, seeded, with hooks for tests to intercept, observe and mutate it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expandMembers, toApiMember } from './members.js';
import { createRateLimiter, RATE_LIMIT_DEFAULTS } from './rate-limit.js';
import { createRequestHandler } from './request-handler.js';
import { createOrgState, dropMember, putMember } from './state.js';
import type { Emulator, EmulatorOptions, OnRequest, RequestLogEntry } from './types.js';

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const state = createOrgState(options.seed);
  const rateLimit = { ...RATE_LIMIT_DEFAULTS, ...options.rateLimit };
  const log: RequestLogEntry[] = [];
  let onRequest: OnRequest | undefined = options.onRequest;
  const handle = createRequestHandler({
    state,
    keys: options.seed.apiKeys.map((k) => ({ ...k })),
    // §3: the window starts with the server.
    limiter: createRateLimiter(rateLimit, options.now),
    now: options.now ?? Date.now,
    rateLimitMax: rateLimit.max,
    hooks: options.hooks ?? {},
    log,
    onRequest: () => onRequest,
  });
  const server = createServer((req, res) => {
    // A client that goes away mid-body leaves nothing to answer.
    handle(req, res).catch(() => res.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    get requests() {
      return log;
    },
    resetRequests: () => {
      log.length = 0;
    },
    setOnRequest: (hook) => {
      onRequest = hook;
    },
    setMember: (member) => putMember(state, member),
    removeMember: (id) => dropMember(state, id),
    members: () => expandMembers(state),
    member: (id) => {
      const stored = state.members.find((m) => m.id === id);
      const user = state.users.get(id);
      return stored && user ? toApiMember(stored, user) : undefined;
    },
    setPlan: (plan) => {
      state.plan = { ...state.plan, ...plan };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
