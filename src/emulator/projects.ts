// Projects and environments (docs/growthbook-api.md §11). Every emulated key can read every
// project and environment, so the read-access filters keep everything.
import { ApiError } from './api-error.js';
import type { HandlerContext } from './handler.js';
import { byId, paginate } from './pagination.js';
import type { SeedProject } from './types.js';
import type { ListProjectsQuery } from './validate.js';

const DEFAULT_PROJECT_DATE = '2024-01-01T00:00:00.000Z';

/** `toApiInterface`: `description` defaults to "", `settings` is always an object. */
const toApiProject = (p: SeedProject) => ({
  id: p.id,
  name: p.name,
  description: p.description ?? '',
  ...(p.publicId !== undefined && { publicId: p.publicId }),
  dateCreated: p.dateCreated ?? DEFAULT_PROJECT_DATE,
  dateUpdated: p.dateUpdated ?? p.dateCreated ?? DEFAULT_PROJECT_DATE,
  settings: { ...p.settings },
});

export function listProjects(ctx: HandlerContext): unknown {
  // No endpoint permission check (§11). "Sorted by id" like members.
  const sorted = [...ctx.state.projects].sort(byId).map(toApiProject);
  const { page, fields } = paginate(sorted, ctx.query as ListProjectsQuery);
  return { projects: page, ...fields };
}

export function getProject(ctx: HandlerContext): unknown {
  const project = ctx.state.projects.find((p) => p.id === ctx.params.id);
  // A plain Error in GrowthBook, hence 400 rather than 404.
  if (!project) throw new ApiError(400, 'Could not find project with that id');
  return { project: toApiProject(project) };
}

/** Not paginated; the org's saved environments in saved order. */
export function listEnvironments(ctx: HandlerContext): unknown {
  return { environments: structuredClone(ctx.state.environments) };
}
