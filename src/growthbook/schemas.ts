// Response and request shapes of the endpoints the client calls, after GrowthBook's OpenAPI document
// and how the server really answers (docs/growthbook-api.md §7, §8 and §11).
// Unknown fields are accepted and dropped: GrowthBook adds fields between releases.
import { z } from 'zod';
import type { ExtraRole, Member, ProjectRole } from '../core/model.js';

const stringList = z.array(z.string());

/** `additionalRoles[]` (GrowthBook HEAD only). */
export const extraRoleSchema = z.object({
  role: z.string(),
  environments: stringList,
  limitAccessByEnvironment: z.boolean().optional(),
}) satisfies z.ZodType<ExtraRole>;

/**
 * `projectRoles[]`. The spec requires `environments` and `limitAccessByEnvironment`, but the list
 * returns rules as saved; a rule saved without `environments` has no limit, the same as `[]`.
 */
export const projectRoleSchema = z.object({
  project: z.string(),
  role: z.string(),
  environments: stringList.default([]),
  limitAccessByEnvironment: z.boolean().optional(),
  additionalRoles: z.array(extraRoleSchema).optional(),
}) satisfies z.ZodType<ProjectRole>;

/**
 * One member of `GET /api/v1/members`. `projectRoles`, `environments`, `teams` may be missing (§7);
 * a missing array is an empty one, but `null` is not accepted: unknown is never read as empty.
 * `additionalRoles` stays absent when the server (v5.0.1 and earlier) does not send it, so a write
 * can leave it out too.
 */
export const listedMemberSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  email: z.string(),
  globalRole: z.string(),
  environments: stringList.default([]),
  limitAccessByEnvironment: z.boolean().optional(),
  additionalRoles: z.array(extraRoleSchema).optional(),
  projectRoles: z.array(projectRoleSchema).default([]),
  teams: stringList.default([]),
  managedbyIdp: z.boolean().default(false),
  lastLoginDate: z.string().optional(),
  dateCreated: z.string().optional(),
});
export type ListedMember = z.infer<typeof listedMemberSchema>;

/** The core's view of a member: what the sync reads and writes back, nothing else. */
export function toMember(m: ListedMember): Member {
  const member: Member = {
    id: m.id,
    email: m.email,
    globalRole: m.globalRole,
    environments: m.environments,
    projectRoles: m.projectRoles,
    managedbyIdp: m.managedbyIdp,
  };
  if (m.name !== undefined) member.name = m.name;
  if (m.limitAccessByEnvironment !== undefined) member.limitAccessByEnvironment = m.limitAccessByEnvironment;
  if (m.additionalRoles !== undefined) member.additionalRoles = m.additionalRoles;
  return member;
}

const count = z.number().int().nonnegative();

/** `PaginationFields`: at the top level, beside the array. */
export const paginationFieldsSchema = z.object({
  limit: count,
  offset: count,
  count,
  total: count,
  hasMore: z.boolean(),
  nextOffset: count.nullable(),
});
export type PaginationFields = z.infer<typeof paginationFieldsSchema>;

export const memberPageSchema = paginationFieldsSchema.extend({ members: z.array(listedMemberSchema) });
export type MemberPage = z.infer<typeof memberPageSchema>;

export const projectSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  publicId: z.string().optional(),
  dateCreated: z.string().optional(),
  dateUpdated: z.string().optional(),
});
export type Project = z.infer<typeof projectSchema>;

/** `GET /api/v1/projects/{id}`. */
export const projectResponseSchema = z.object({ project: projectSchema });

/** `GET /api/v1/projects` (paginated like the members list). */
export const projectPageSchema = paginationFieldsSchema.extend({ projects: z.array(projectSchema) });

/** `GET /api/v1/environments`: not paginated. */
export const environmentsResponseSchema = z.object({
  environments: z.array(
    z.object({
      id: z.string().min(1),
      description: z.string().optional(),
      projects: stringList.optional(),
    }),
  ),
});

/** `GET /api/v1/`. */
export const infoResponseSchema = z.object({ name: z.string(), apiVersion: z.number() });

/**
 * `updatedMember` of `POST /api/v1/members/{id}/role`: `role`, not `globalRole`; undefined arrays
 * are omitted by the server.
 */
export const updatedMemberSchema = z.object({
  id: z.string().min(1),
  role: z.string(),
  environments: stringList.default([]),
  limitAccessByEnvironment: z.boolean(),
  projectRoles: z.array(projectRoleSchema).optional(),
  additionalRoles: z.array(extraRoleSchema).optional(),
});
export type UpdatedMember = z.infer<typeof updatedMemberSchema>;

export const updateMemberRoleResponseSchema = z.object({ updatedMember: updatedMemberSchema });

/** Every error body: `{"message": …}` (plus `status`, `code`, `details` on some). */
export const errorBodySchema = z.object({ message: z.string() });

/**
 * The `member` object the client sends. Parsing it strips any other key, so what goes out is exactly
 * this: the global role is `role` (an unknown `globalRole` would be silently ignored by GrowthBook),
 * and `environments` is always sent (leaving it out drops an environment restriction).
 */
export const roleUpdateSchema = z.object({
  role: z.string().min(1),
  environments: stringList,
  projectRoles: z.array(
    z.object({
      project: z.string().min(1),
      role: z.string().min(1),
      environments: stringList,
      limitAccessByEnvironment: z.boolean().optional(),
      additionalRoles: z.array(extraRoleSchema).optional(),
    }),
  ),
  additionalRoles: z.array(extraRoleSchema).optional(),
});

export interface RoleUpdate {
  role: string;
  environments: string[];
  projectRoles: ProjectRole[];
  additionalRoles?: ExtraRole[];
}

/** Up to three issues, `path: message`; zod's messages name types, never values. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}
