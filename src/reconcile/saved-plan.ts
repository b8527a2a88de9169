// `plan --out FILE` / `apply --plan FILE`: the saved plan (its shape is the core's SavedPlanSchema)
// written atomically and read back through the same schema. The file also carries a checksum of its
// content, so an edited plan (an action deleted by hand: a revoke that would silently never happen)
// is refused rather than applied.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type SavedPlan, SavedPlanSchema } from '../core/plan.js';
import { ConfigError } from '../errors.js';

/** The checksum of a plan's content: SHA-256 of its JSON, as written (key order included). */
export function planChecksum(plan: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(plan)).digest('hex')}`;
}

/** Written to a temporary file beside the target and renamed: a reader never sees half a plan. */
export function writeSavedPlan(path: string, plan: SavedPlan): void {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.plan.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ ...plan, checksum: planChecksum(plan) })}\n`);
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

export interface ReadPlan {
  plan: SavedPlan;
  /** Why the file cannot be trusted as plan --out wrote it; null when its checksum holds. */
  edited: string | null;
}

export function readSavedPlan(path: string): ReadPlan {
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
  const parsed = SavedPlanSchema.safeParse(raw);
  if (parsed.success) return { plan: parsed.data, edited: editedBecause(raw) };
  const first = parsed.error.issues[0];
  throw new ConfigError(
    `${path} is not a plan written by plan --out (${first?.path.join('.') || 'top level'}: ${first?.message})`,
  );
}

function editedBecause(raw: unknown): string | null {
  const { checksum, ...content } = raw as { checksum?: unknown };
  if (typeof checksum !== 'string') {
    return 'the plan file carries no checksum: only a plan written by plan --out can be applied';
  }
  if (checksum !== planChecksum(content)) {
    return 'the plan file was edited after plan --out wrote it (its checksum does not match); make a new plan';
  }
  return null;
}
