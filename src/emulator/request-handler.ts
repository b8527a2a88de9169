// One request through the emulated stack, in GrowthBook's order (docs/growthbook-api.md §12):
// body parser → auth → rate limit → route or 404 → Zod → handler (permission first, then its checks).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { authenticate } from './auth.js';
import type { HandlerContext } from './handler.js';
import { jsonOrUndefined, parseJsonBody, parseQuery, readBody, sendJson } from './http.js';
import { type RateLimiter, rateLimitMessage } from './rate-limit.js';
import { matchRoute } from './routes.js';
import type { OrgState } from './state.js';
import type { EmulatorHooks, Interception, OnRequest, RequestLogEntry, SeedApiKey } from './types.js';
import { validateRequest } from './validate.js';

export interface RequestHandlerDeps {
  state: OrgState;
  keys: readonly SeedApiKey[];
  limiter: RateLimiter;
  rateLimitMax: number;
  hooks: EmulatorHooks;
  log: RequestLogEntry[];
  onRequest: () => OnRequest | undefined;
  now: () => number;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type,Authorization,X-Organization',
};

export function createRequestHandler(deps: RequestHandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = deps.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: parseQuery(url.search),
      status: 0,
      at,
      body: raw.ok ? jsonOrUndefined(raw.text) : undefined,
      userAgent: req.headers['user-agent'],
      intercepted: false,
    };
    deps.log.push(entry);
    let extraHeaders: Record<string, string> = {};
    const reply: Reply = (status, body, headers = {}) => {
      entry.status = status;
      sendJson(res, status, body, { ...extraHeaders, ...headers });
    };
    try {
      await deps.onRequest()?.(entry);
      const interception = await deps.hooks.intercept?.({
        method,
        path: url.pathname,
        target: url.pathname + url.search,
      });
      if (interception) {
        entry.intercepted = true;
        if (interception.kind !== 'pass') return answerIntercepted(interception, res, reply, entry);
        extraHeaders = { ...interception.headers };
      }
      // §1: body-parser runs before the API router, so its errors come before auth.
      if (!raw.ok) return reply(413, { status: 413, message: 'request entity too large' });
      const parsed = parseJsonBody(raw.text, req.headers['content-type']);
      if (!parsed.ok) return reply(400, { status: 400, message: parsed.message });
      if (!/^\/api(\/|$)/i.test(url.pathname)) {
        entry.status = 404;
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`Cannot ${method} ${url.pathname}`);
        return;
      }
      extraHeaders = { ...extraHeaders, ...CORS_HEADERS };
      if (method === 'OPTIONS') {
        entry.status = 204;
        res.writeHead(204, extraHeaders).end();
        return;
      }
      // §1: the spec route is public; this emulator ships no spec, as a server missing the file answers.
      if (method === 'GET' && /^\/api\/v1\/openapi\.yaml\/?$/i.test(url.pathname)) {
        return reply(500, { message: 'Unable to load OpenAPI spec' });
      }
      await serveApi(deps, req, url, method, parsed.body, reply, (h) => {
        extraHeaders = { ...extraHeaders, ...h };
      });
    } catch (e) {
      if (res.headersSent) res.destroy();
      else reply(500, { message: e instanceof Error ? e.message : String(e) });
    }
  };
}

async function serveApi(
  deps: RequestHandlerDeps,
  req: IncomingMessage,
  url: URL,
  method: string,
  body: unknown,
  reply: Reply,
  addHeaders: (h: Record<string, string>) => void,
): Promise<void> {
  const auth = authenticate(req.headers.authorization, deps.keys);
  if (!auth.ok) return reply(auth.status, { message: auth.message });
  // §3: after auth, so auth failures are not counted; every later status is.
  const verdict = deps.limiter(auth.key.key);
  addHeaders(verdict.headers);
  if (verdict.limited) return reply(429, rateLimitMessage(deps.rateLimitMax));
  const route = matchRoute(method, url.pathname);
  if (!route) return reply(404, { message: 'Unknown API endpoint' });
  const checked = validateRequest(route.schemas, {
    params: route.params,
    query: parseQuery(url.search),
    body,
  });
  if (!checked.ok) return reply(400, { message: checked.message });
  const ctx: HandlerContext = {
    state: deps.state,
    key: auth.key,
    ...checked.parts,
    writeMembers: async (members) => {
      await deps.hooks.beforeWrite?.();
      deps.state.members = members;
    },
  };
  try {
    reply(200, await route.handle(ctx));
  } catch (e) {
    // §4: handler errors are `{"message"}` with the error's status, 400 for a plain Error.
    if (e instanceof ApiError) reply(e.status, { message: e.message });
    else reply(400, { message: e instanceof Error ? e.message : String(e) });
  }
}

function answerIntercepted(
  interception: Exclude<Interception, { kind: 'pass' }>,
  res: ServerResponse,
  reply: Reply,
  entry: RequestLogEntry,
): void {
  if (interception.kind === 'drop') {
    res.socket?.destroy();
    return;
  }
  if (interception.kind === 'raw') {
    entry.status = interception.status;
    res.writeHead(interception.status, interception.headers);
    res.end(interception.text);
    return;
  }
  reply(interception.status, interception.body, interception.headers);
}
