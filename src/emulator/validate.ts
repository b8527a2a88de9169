// Request validation (docs/growthbook-api.md §4): Zod schemas like GrowthBook's, and its
// aggregated 400 message: sections joined by "\n", issues by ", ", each "[dotted.path] <zod message>".
import { type ZodType, z } from 'zod';

/** A part without a schema is GrowthBook's `z.never()`: not validated at all (§4). */
export interface RequestSchemas {
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
}

export interface RequestParts {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
}

export type Validated = { ok: true; parts: RequestParts } | { ok: false; message: string };

const SECTIONS = [
  ['params', 'Request params'],
  ['query', 'Querystring'],
  ['body', 'Request body'],
] as const;

export function validateRequest(schemas: RequestSchemas, input: RequestParts): Validated {
  const parts: RequestParts = { ...input };
  const failures: string[] = [];
  for (const [part, label] of SECTIONS) {
    const schema = schemas[part];
    if (!schema) continue;
    const result = schema.safeParse(input[part]);
    if (result.success) {
      if (part === 'params') parts.params = result.data as Record<string, string>;
      else parts[part] = result.data;
      continue;
    }
    const issues = result.error.issues.map((i) => `[${i.path.map(String).join('.')}] ${i.message}`);
    failures.push(`${label}: ${issues.join(', ')}`);
  }
  return failures.length ? { ok: false, message: failures.join('\n') } : { ok: true, parts };
}

// §5: limit and offset are coerced from the query string.
const pagination = {
  limit: z.coerce.number().int().min(1).max(100).optional(),
  offset: z.coerce.number().int().min(0).optional(),
};

export const idParams = z.object({ id: z.string() });

/** §7: strict, so an unknown key (`skipPagination` included) is a 400. */
export const listMembersQuery = z.strictObject({
  ...pagination,
  userName: z.string().optional(),
  userEmail: z.string().optional(),
  globalRole: z.string().optional(),
});
export type ListMembersQuery = z.infer<typeof listMembersQuery>;

/** §11 */
export const listProjectsQuery = z.strictObject(pagination);
export type ListProjectsQuery = z.infer<typeof listProjectsQuery>;

// §8: rules are non-strict objects, so unknown keys inside them are silently stripped.
const extraRole = z.object({
  role: z.string(),
  environments: z.array(z.string()),
  limitAccessByEnvironment: z.boolean().optional(),
});

const projectRole = z.object({
  project: z.string(),
  role: z.string(),
  environments: z.array(z.string()),
  limitAccessByEnvironment: z.boolean().optional(),
  additionalRoles: z.array(extraRole).optional(),
});

export const DUPLICATE_PROJECT_MESSAGE =
  "Only one rule per project. To grant more than one role in a project, add them to that rule's additionalRoles.";

export const hasDuplicateProjects = (rules: readonly { project: string }[]): boolean =>
  new Set(rules.map((r) => r.project)).size !== rules.length;

/** §8 Body: the outer object is strict, `member` is required but may be empty and strips unknown keys. */
export const updateMemberRoleBody = z.strictObject({
  member: z.object({
    role: z.string().optional(),
    environments: z.array(z.string()).optional(),
    additionalRoles: z.array(extraRole).optional(),
    // HEAD rejects a project named twice (§4 table).
    projectRoles: z
      .array(projectRole)
      .refine((rules) => !hasDuplicateProjects(rules), { message: DUPLICATE_PROJECT_MESSAGE })
      .optional(),
  }),
});
export type UpdateMemberRoleBody = z.infer<typeof updateMemberRoleBody>;
