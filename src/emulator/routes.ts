// The API routes (docs/growthbook-api.md §1). Paths match like Express's defaults: case-insensitive,
// an optional trailing slash, `:param` for one decoded segment. Anything else is the catch-all 404.
import { deleteMember } from './delete-member.js';
import type { Handler } from './handler.js';
import { listMembers } from './members.js';
import { getProject, listEnvironments, listProjects } from './projects.js';
import { updateMemberRole } from './update-member-role.js';
import {
  idParams,
  listMembersQuery,
  listProjectsQuery,
  type RequestSchemas,
  updateMemberRoleBody,
} from './validate.js';

interface Route {
  method: string;
  path: string;
  schemas: RequestSchemas;
  handle: Handler;
}

/** `GET /api/v1/`: a cheap authenticated check. */
const info: Handler = () => ({
  name: 'GrowthBook API',
  apiVersion: 1,
  build: { sha: 'emulator', date: '', lastVersion: '5.0.1' },
});

// §4: a part without a schema is `z.never()` upstream and is not validated (e.g. a query on an update).
const ROUTES: Route[] = [
  { method: 'GET', path: '/api', schemas: {}, handle: info },
  { method: 'GET', path: '/api/v1', schemas: {}, handle: info },
  { method: 'GET', path: '/api/v1/members', schemas: { query: listMembersQuery }, handle: listMembers },
  {
    method: 'POST',
    path: '/api/v1/members/:id/role',
    schemas: { params: idParams, body: updateMemberRoleBody },
    handle: updateMemberRole,
  },
  { method: 'DELETE', path: '/api/v1/members/:id', schemas: { params: idParams }, handle: deleteMember },
  { method: 'GET', path: '/api/v1/projects', schemas: { query: listProjectsQuery }, handle: listProjects },
  { method: 'GET', path: '/api/v1/projects/:id', schemas: { params: idParams }, handle: getProject },
  { method: 'GET', path: '/api/v1/environments', schemas: {}, handle: listEnvironments },
];

const compiled = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+?)';
  });
  return { route, names, regex: new RegExp(`^${source}/?$`, 'i') };
});

export interface RouteMatch {
  schemas: RequestSchemas;
  handle: Handler;
  params: Record<string, string>;
}

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const { route, names, regex } of compiled) {
    if (route.method !== method) continue;
    const found = regex.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeSegment(found[i + 1] ?? '');
    });
    return { schemas: route.schemas, handle: route.handle, params };
  }
  return undefined;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
