// Test scaffolding for the GrowthBook client: a loopback HTTP server scripted per test, a fake
// clock, and member fixtures shaped like GET /api/v1/members.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createGrowthBookClient, type GrowthBookClientOptions } from '../../src/growthbook/client.js';
import type { Clock } from '../../src/util/clock.js';

export const CANARY_KEY = 'secret_admin_CANARY_7d41c0ffee93';

export interface Seen {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() on arrival. */
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Cut the connection without answering. */
  destroy?: boolean;
}

export type Script = (req: Seen, index: number) => Reply | Promise<Reply>;

export interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startServer(script: Script): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const record: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      seen.push(record);
      const reply = await script(record, seen.length - 1);
      if (reply.hang) return;
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, {
        'Content-Type': 'application/json; charset=utf-8',
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FakeClock extends Clock {
  sleeps: number[];
  advance(ms: number): void;
}

/** Sleeping advances time at once and is recorded, so waits are exact and tests are fast. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += Math.max(0, ms);
    },
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}

export function listedMember(i: number, extra: Record<string, unknown> = {}) {
  const n = String(i).padStart(4, '0');
  return {
    id: `u_${n}`,
    name: `Person ${n}`,
    email: `person${n}@example.org`,
    globalRole: 'noaccess',
    environments: [],
    limitAccessByEnvironment: false,
    projectRoles: [],
    managedbyIdp: false,
    dateCreated: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

export function members(count: number) {
  return Array.from({ length: count }, (_, i) => listedMember(i + 1));
}

/** A GrowthBook page (§5) of `items` for the limit and offset in `url`. */
export function pageOf(items: unknown[], url: string) {
  const q = new URL(url, 'http://x').searchParams;
  const limit = Number(q.get('limit') ?? 10);
  const offset = Number(q.get('offset') ?? 0);
  const page = items.slice(offset, offset + limit);
  const hasMore = offset + limit < items.length;
  return {
    members: page,
    limit,
    offset,
    count: page.length,
    total: items.length,
    hasMore,
    nextOffset: hasMore ? offset + limit : null,
  };
}

export function requestLog(server: TestServer): string[] {
  return server.seen.map((s) => `${s.method} ${s.url}`);
}

/** Every string a caller or logger could derive from an error, down its cause chain. */
export function renderings(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    out.push(String(current), JSON.stringify(current) ?? '');
    if (current instanceof Error) {
      out.push(current.message, current.stack ?? '', JSON.stringify(Object.entries(current)));
      out.push(...Object.values(current).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))));
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  return out;
}

export function testClient(server: TestServer, options: Partial<GrowthBookClientOptions> = {}) {
  const clock = fakeClock();
  const client = createGrowthBookClient({ baseUrl: server.url, apiKey: CANARY_KEY, clock, ...options });
  return { client, clock };
}
