// `plan --out FILE` / `apply --plan FILE`: a plan as data, with the member states it was made from.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Member } from '../core/model.js';
import { ConfigError } from '../errors.js';
import type { RunReport } from './run-sync.js';

export const PLAN_FORMAT = 'growthbook-ldap-sync/plan@1';

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  createdAt: string;
  project: string;
  report: RunReport;
  /** The members of every planned change, as read when the plan was made. */
  basis: Record<string, Member>;
}

const actionSchema = z.looseObject({
  kind: z.enum(['revoke', 'downgrade', 'upgrade', 'grant', 'noop', 'skip', 'pending']),
  email: z.string(),
  memberId: z.string().nullable(),
  uid: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  rule: z.string().nullable(),
  ldapGroups: z.array(z.string()),
  posixGroups: z.array(z.string()),
  reason: z.string(),
  result: z.enum(['planned', 'applied', 'failed']),
});
const memberSchema = z.looseObject({
  id: z.string(),
  email: z.string(),
  globalRole: z.string(),
  environments: z.array(z.string()),
  projectRoles: z.array(
    z.looseObject({ project: z.string(), role: z.string(), environments: z.array(z.string()) }),
  ),
  managedbyIdp: z.boolean(),
});
const savedPlanSchema = z.looseObject({
  format: z.literal(PLAN_FORMAT),
  createdAt: z.iso.datetime(),
  project: z.string(),
  report: z.looseObject({ runId: z.string(), mode: z.literal('plan'), actions: z.array(actionSchema) }),
  basis: z.record(z.string(), memberSchema),
});

export function savedPlanOf(report: RunReport, members: readonly Member[], now: Date): SavedPlan {
  const planned = new Set(report.actions.map((a) => a.memberId).filter((id): id is string => id !== null));
  return {
    format: PLAN_FORMAT,
    createdAt: now.toISOString(),
    project: report.project,
    report,
    basis: Object.fromEntries(members.filter((m) => planned.has(m.id)).map((m) => [m.id, m])),
  };
}

/** Written to a temporary file beside the target and renamed: a reader never sees half a plan. */
export function writeSavedPlan(path: string, plan: SavedPlan): void {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.plan.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(plan)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`cannot write the plan to ${path} (${code})`);
  }
}

export function readSavedPlan(path: string): SavedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code
        ? `cannot read the plan file ${path} (${code})`
        : `${path} is not JSON: not a plan written by plan --out`,
    );
  }
  const parsed = savedPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(
      `${path} is not a plan written by plan --out (${first?.path.join('.') || 'top level'}: ${first?.message})`,
    );
  }
  return parsed.data as unknown as SavedPlan;
}
