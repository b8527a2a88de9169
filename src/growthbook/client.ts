// The one GrowthBook client: typed endpoints over a stack of small layers (outer → inner):
// retry → deadline → pace → identify → transport. There is deliberately no deleteMember and no
// generic request method: the sync can only read, and write a member's role.
import type { z } from 'zod';
import type { Member } from '../core/model.js';
import { GrowthBookHttpError, GrowthBookResponseError } from './errors.js';
import { deadlineWait, withDeadline } from './layers/deadline.js';
import { authorizationHeader, identify } from './layers/identify.js';
import { pace } from './layers/pace.js';
import { retry } from './layers/retry.js';
import { type GrowthBookClientOptions, resolveClientOptions } from './options.js';
import { readAllPages } from './paginate.js';
import { createRedactor, excerpt } from './redact.js';
import {
  describeIssues,
  environmentsResponseSchema,
  errorBodySchema,
  infoResponseSchema,
  type ListedMember,
  memberPageSchema,
  projectResponseSchema,
  type RoleUpdate,
  roleUpdateSchema,
  toMember,
  type UpdatedMember,
  updateMemberRoleResponseSchema,
} from './schemas.js';
import { httpTransport } from './transport.js';
import type { ClientStats, HttpMethod, Layer } from './types.js';

export type { GrowthBookClientOptions } from './options.js';
export type { RoleUpdate, UpdatedMember } from './schemas.js';
export type { ClientStats, RequestEvent } from './types.js';

export interface GrowthBookClient {
  /** Every member (all pages, checked for consistency); `userEmail` is GrowthBook's exact, case-sensitive filter. */
  listMembers(filter?: { userEmail?: string }): Promise<Member[]>;
  getProject(id: string): Promise<{ id: string; name: string }>;
  listEnvironments(): Promise<{ id: string }[]>;
  /** `GET /api/v1/`: a cheap authenticated round trip. */
  info(): Promise<{ name: string; apiVersion: number }>;
  /** `POST /api/v1/members/{id}/role` with `{"member": …}`; only the fields of RoleUpdate are sent. */
  updateMemberRole(id: string, member: RoleUpdate): Promise<UpdatedMember>;
  /**
   * Runs `work` as one paced unit of `requests` requests: the rate budget for all of them is taken
   * before the first, so they go back to back (a member's fresh read and its write).
   */
  paced<T>(requests: number, work: () => Promise<T>): Promise<T>;
  stats(): ClientStats;
}

export function createGrowthBookClient(options: GrowthBookClientOptions): GrowthBookClient {
  const o = resolveClientOptions(options);
  const stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0 };
  const authorization = authorizationHeader(o);
  const redact = createRedactor([
    o.apiKey,
    authorization.slice(authorization.indexOf(' ') + 1),
    Buffer.from(o.apiKey, 'utf8').toString('base64'),
  ]);
  const waitWithinDeadline = deadlineWait(o.deadline, o.clock);
  const wait: typeof waitWithinDeadline = (ms, what) => {
    o.onWait(ms, what);
    return waitWithinDeadline(ms, what);
  };
  const pacer = pace({
    requestsPerMinute: o.requestsPerMinute,
    windowMs: o.rateWindowMs,
    clock: o.clock,
    wait,
  });
  const layers: Layer[] = [
    retry({ maxRetries: o.maxRetries, retryBaseMs: o.retryBaseMs, clock: o.clock, wait, stats }),
    withDeadline(o.deadline),
    pacer.layer,
    identify(o),
  ];
  const transport = httpTransport({
    baseUrl: o.baseUrl,
    fetch: o.fetch,
    requestTimeoutMs: o.requestTimeoutMs,
    clock: o.clock,
    onRequest: o.onRequest,
    redact,
    stats,
  });
  const send = layers.reduceRight((next, layer) => layer(next), transport);

  async function call<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const res = await send({ method, path, body, timeoutMs: o.requestTimeoutMs });
    if (res.status < 200 || res.status > 299) {
      throw new GrowthBookHttpError(method, path, res.status, serverMessage(res.body), res.attempt);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      const start =
        res.body.trim() === '' ? 'empty body' : `body starts ${JSON.stringify(excerpt(res.body, 60))}`;
      throw new GrowthBookResponseError(method, path, res.status, `not JSON (${redact(start)})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new GrowthBookResponseError(method, path, res.status, redact(describeIssues(parsed.error)));
    }
    return parsed.data;
  }

  /** GrowthBook's `{"message": …}`, else a short excerpt of whatever came back (a proxy's page). */
  function serverMessage(body: string): string | null {
    let text = body;
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(body));
      if (parsed.success) text = parsed.data.message;
    } catch {
      // not JSON: keep the raw excerpt
    }
    const short = excerpt(text, 300);
    return short === '' ? null : redact(short);
  }

  return {
    async listMembers(filter = {}) {
      const listed = await readAllPages<ListedMember>({
        method: 'GET',
        path: '/api/v1/members',
        idOf: (m) => m.id,
        fetchPage: async (offset, limit) => {
          const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
          if (filter.userEmail !== undefined) query.set('userEmail', filter.userEmail);
          const page = await call('GET', `/api/v1/members?${query}`, memberPageSchema);
          return { ...page, items: page.members };
        },
      });
      return listed.map(toMember);
    },

    async getProject(id) {
      const { project } = await call('GET', `/api/v1/projects/${segment(id)}`, projectResponseSchema);
      return { id: project.id, name: project.name };
    },

    async listEnvironments() {
      const { environments } = await call('GET', '/api/v1/environments', environmentsResponseSchema);
      return environments.map((e) => ({ id: e.id }));
    },

    async info() {
      const { name, apiVersion } = await call('GET', '/api/v1/', infoResponseSchema);
      return { name, apiVersion };
    },

    async updateMemberRole(id, member) {
      const parsed = roleUpdateSchema.safeParse(member);
      if (!parsed.success) {
        throw new TypeError(
          `refusing to send an invalid role update for ${id}: ${describeIssues(parsed.error)}`,
        );
      }
      const path = `/api/v1/members/${segment(id)}/role`;
      const { updatedMember } = await call('POST', path, updateMemberRoleResponseSchema, {
        member: parsed.data,
      });
      return updatedMember;
    },

    paced: (requests, work) => {
      o.deadline.check('a paired read and write');
      return pacer.unit(requests, work);
    },

    stats: () => ({ ...stats }),
  };
}

function segment(id: string): string {
  if (id === '') throw new TypeError('an empty id cannot name a GrowthBook resource');
  return encodeURIComponent(id);
}
