// The plan, defined once. The schemas are the source of the types: the run report printed with
// `--output json`, the saved plan of `plan --out` and the members it was made from are all parsed
// and typed from here, so the document, the file and the code cannot drift apart.
import { z } from 'zod';

/** The changes the applier writes, in the order it writes them. */
export const CHANGE_KINDS = ['revoke', 'downgrade', 'upgrade', 'grant'] as const;
/** Every kind of action, in the order of the JSON summary: changes first, then what is not written. */
export const ACTION_KINDS = [...CHANGE_KINDS, 'noop', 'skip', 'pending'] as const;
/** Why an in-scope-looking member is left alone. */
export const SKIP_REASONS = [
  'outside-email-domains',
  'protected-email',
  'global-admin',
  'managed-by-idp',
  'ambiguous-identity',
] as const;
/** The reason of a change held back as `pending` by growthbook.maxSeats. */
export const SEAT_LIMIT = 'seat-limit';
/** `planned` until applied; a change the run did not reach stays `planned`. */
export const ACTION_RESULTS = ['planned', 'applied', 'failed'] as const;
/** The sources of truth and the system written to, as named in errors, metrics and `check`. */
export const SOURCE_NAMES = ['ldap', 'posix', 'growthbook'] as const;
export const RUN_MODES = ['plan', 'apply'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];
export type ActionKind = (typeof ACTION_KINDS)[number];
export type SkipReason = (typeof SKIP_REASONS)[number];
export type ActionResult = (typeof ACTION_RESULTS)[number];
export type SourceName = (typeof SOURCE_NAMES)[number];
export type RunMode = (typeof RUN_MODES)[number];

/** A GrowthBook role id: built-in (`readonly`, `admin`…) or custom (`CustomElevatedAccess`). Opaque, case-sensitive. */
export type RoleId = string;

/** One extra role rule inside a project or global rule (GrowthBook `additionalRoles`). */
export const ExtraRoleSchema = z.object({
  role: z.string(),
  environments: z.array(z.string()),
  limitAccessByEnvironment: z.boolean().optional(),
});
export type ExtraRole = z.infer<typeof ExtraRoleSchema>;

/** One entry of a member's `projectRoles`, as GrowthBook returns it. */
export const ProjectRoleSchema = z.object({
  project: z.string(),
  role: z.string(),
  environments: z.array(z.string()),
  limitAccessByEnvironment: z.boolean().optional(),
  additionalRoles: z.array(ExtraRoleSchema).optional(),
});
export type ProjectRole = z.infer<typeof ProjectRoleSchema>;

/** A GrowthBook organization member, as read from `GET /api/v1/members`. */
export const MemberSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().optional(),
  globalRole: z.string(),
  environments: z.array(z.string()),
  limitAccessByEnvironment: z.boolean().optional(),
  additionalRoles: z.array(ExtraRoleSchema).optional(),
  projectRoles: z.array(ProjectRoleSchema),
  managedbyIdp: z.boolean(),
});
export type Member = z.infer<typeof MemberSchema>;

/** One line of the plan: one member (or pending person) in one managed project. */
export const ActionSchema = z.object({
  kind: z.enum(ACTION_KINDS),
  /** The managed project this line is about. */
  project: z.string(),
  email: z.string(),
  memberId: z.string().nullable(),
  uid: z.string().nullable(),
  /** Effective access in the project before the change (project role, else global role). */
  from: z.string().nullable(),
  to: z.string().nullable(),
  rule: z.string().nullable(),
  ldapGroups: z.array(z.string()),
  posixGroups: z.array(z.string()),
  /** For a skip, the skip reason code (e.g. `ambiguous-identity`); otherwise the decision in words. */
  reason: z.string(),
  /** Human detail for skips; for a failed change, what went wrong. */
  detail: z.string().optional(),
  result: z.enum(ACTION_RESULTS),
  /**
   * A failed change GrowthBook refuses because another project's entry (never written by the sync)
   * names a role that no longer exists: every write for this member fails until a person fixes it.
   */
  blockedBy: z.object({ project: z.string(), role: z.string() }).optional(),
});
export type Action = z.infer<typeof ActionSchema>;

const count = z.number().int().nonnegative();

export const SummarySchema = z.record(z.enum(ACTION_KINDS), count);
export type Summary = z.infer<typeof SummarySchema>;

export const SafetyReportSchema = z.object({
  /** True when the breaker stopped the run (never true when overridden). */
  tripped: z.boolean(),
  /** True when a limit was exceeded, whether or not the run was allowed to continue. */
  exceeded: z.boolean(),
  overridden: z.boolean(),
  threshold: count,
  population: count,
  revoke: count,
  downgrade: count,
});
export type SafetyReport = z.infer<typeof SafetyReportSchema>;

/** Why an apply stopped before the end of the plan. */
export const STOP_CAUSES = ['deadline', 'signal', 'systemic-error'] as const;
export type StopCause = (typeof STOP_CAUSES)[number] | null;

/** One managed project in the run report: what the run plans or did there, and its breaker. */
export const ProjectReportSchema = z.object({
  id: z.string(),
  /** The project's name in GrowthBook. */
  name: z.string().optional(),
  summary: SummarySchema,
  safety: SafetyReportSchema,
});
export type ProjectReport = z.infer<typeof ProjectReportSchema>;

/** The breaker over every managed project: tripped when any project tripped. */
export const OverallSafetySchema = SafetyReportSchema.extend({
  /** The projects over their limit (tripped, or overridden for this run). */
  exceededIn: z.array(z.string()),
});

export const ApplyReportSchema = z.object({
  applied: count,
  failed: count,
  /** Changes the run did not reach (they stay `planned`). */
  notAttempted: count,
  /** Write requests that landed: one per member, however many projects it changed. */
  writes: count,
  stoppedBy: z.enum(STOP_CAUSES).nullable(),
  detail: z.string().nullable(),
});

/** The document `plan` and `apply` print with `--output json`. */
export const RunReportSchema = z.object({
  runId: z.string(),
  /** The first managed project (the only one in the one-project form); `projects` lists them all. */
  project: z.string(),
  projectName: z.string().optional(),
  mode: z.enum(RUN_MODES),
  /** Totals over every managed project. */
  summary: SummarySchema,
  safety: OverallSafetySchema,
  projects: z.array(ProjectReportSchema).min(1),
  /** Every action carries its `project`. */
  actions: z.array(ActionSchema),
  apply: ApplyReportSchema.optional(),
  /** apply --plan: why the saved plan was not applied (nothing was written). */
  refused: z.string().optional(),
});
export type RunReport = z.infer<typeof RunReportSchema>;

export const PLAN_FORMAT = 'growthbook-ldap-sync/plan@1';

/** `plan --out`: the report of a plan run and the members of its changes as they were read. */
export const SavedPlanSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  createdAt: z.iso.datetime(),
  project: z.string(),
  /** Every managed project the plan was made for: it applies only to the same set. */
  projects: z.array(z.string()).min(1),
  report: RunReportSchema.refine((r) => r.mode === 'plan', {
    path: ['mode'],
    message: 'must be "plan": only a plan run can be saved',
  }),
  /** The members of every planned change, by id, as read when the plan was made. */
  basis: z.record(z.string(), MemberSchema),
});
export type SavedPlan = z.infer<typeof SavedPlanSchema>;

export const isChangeKind = (kind: ActionKind): kind is ChangeKind =>
  (CHANGE_KINDS as readonly string[]).includes(kind);

export function isChange(action: Action): action is Action & { kind: ChangeKind; memberId: string } {
  return isChangeKind(action.kind);
}

export function summarize(actions: readonly Action[]): Summary {
  const summary = SummarySchema.parse(Object.fromEntries(ACTION_KINDS.map((kind) => [kind, 0])));
  for (const action of actions) summary[action.kind]++;
  return summary;
}

/** The saved plan of a plan run: its report, and the members its actions name as they were read. */
export function savedPlanOf(report: RunReport, members: readonly Member[], createdAt: Date): SavedPlan {
  const planned = new Set(report.actions.map((a) => a.memberId).filter((id): id is string => id !== null));
  return {
    format: PLAN_FORMAT,
    createdAt: createdAt.toISOString(),
    project: report.project,
    projects: report.projects.map((p) => p.id),
    report,
    basis: Object.fromEntries(members.filter((m) => planned.has(m.id)).map((m) => [m.id, m])),
  };
}
