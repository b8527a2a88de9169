import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Action, ActionKind, ActionResult } from '../../src/core/model.js';
import type { RunMetricsInput } from '../../src/observe/metrics.js';

/** Sample lines of a Prometheus text exposition, as `series → value` (the series exactly as written). */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) throw new Error(`not a sample line: ${line}`);
    if (samples.has(match[1])) throw new Error(`duplicate series: ${match[1]}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** `# HELP` / `# TYPE` lines by metric name. */
export function parseMeta(text: string): Map<string, { help?: string; type?: string }> {
  const meta = new Map<string, { help?: string; type?: string }>();
  for (const line of text.split('\n')) {
    const match = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (!match?.[1] || !match[2] || match[3] === undefined) continue;
    const entry = meta.get(match[2]) ?? {};
    if (match[1] === 'HELP') entry.help = match[3];
    else entry.type = match[3];
    meta.set(match[2], entry);
  }
  return meta;
}

let sequence = 0;

export const PROJECT = 'prj_w';

export function action(kind: ActionKind, result: ActionResult, overrides: Partial<Action> = {}): Action {
  sequence++;
  return {
    kind,
    project: PROJECT,
    email: `${kind}-${sequence}@wikimedia.org`,
    memberId: kind === 'pending' ? null : 'u_x',
    uid: 'x',
    from: null,
    to: null,
    rule: null,
    ldapGroups: [],
    posixGroups: [],
    reason: '',
    result,
    ...overrides,
  };
}

export const STARTED_MS = 1_700_000_000_000;
export const FINISHED_MS = 1_700_000_012_500;

/** An apply run that revoked two members, failed one grant and skipped three (exit 5). */
export function realisticInput(overrides: Partial<RunMetricsInput> = {}): RunMetricsInput {
  return {
    startedAtMs: STARTED_MS,
    finishedAtMs: FINISHED_MS,
    exitCode: 5,
    succeeded: false,
    projects: [{ id: PROJECT }],
    breakerTripped: [],
    actions: [
      action('revoke', 'applied'),
      action('revoke', 'applied'),
      action('grant', 'failed', { detail: 'HTTP 500' }),
      action('noop', 'planned'),
      action('noop', 'planned'),
      action('skip', 'planned', { reason: 'outside-email-domains' }),
      action('skip', 'planned', { reason: 'outside-email-domains' }),
      action('skip', 'planned', { reason: 'global-admin' }),
      action('pending', 'planned'),
    ],
    seatsByProject: { [PROJECT]: { readonly: 5, admin: 2, CustomElevatedAccess: 3 } },
    seatHolders: 10,
    sourceEntries: { ldap: 42, posix: 17, growthbook: 12 },
    requests: [
      { target: 'growthbook', status: '200' },
      { target: 'growthbook', status: '200' },
      { target: 'growthbook', status: '200' },
      { target: 'growthbook', status: '429' },
      { target: 'growthbook', status: '500' },
      { target: 'ldap', status: 'ok' },
      { target: 'ldap', status: 'ok' },
      { target: 'posix', status: '200' },
    ],
    ignoredMembers: { 'outside-people-base': 2, 'no-entry': 1 },
    version: '1.2.3',
    ...overrides,
  };
}

export interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP server recording each request; `respond` decides the answer (or never answers). */
export async function startGateway(
  respond: (request: Received) => { status: number; body?: string } | 'hang' = () => ({ status: 200 }),
): Promise<{ server: Server; origin: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const answer = respond(request);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { server, origin: `http://127.0.0.1:${port}`, received, close };
}
