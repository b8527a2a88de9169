// `plan --out FILE` / `apply --plan FILE`: the saved plan (its shape is the core's SavedPlanSchema)
// written atomically and read back through the same schema.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type SavedPlan, SavedPlanSchema } from '../core/plan.js';
import { ConfigError } from '../errors.js';

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
  const parsed = SavedPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(
      `${path} is not a plan written by plan --out (${first?.path.join('.') || 'top level'}: ${first?.message})`,
    );
  }
  return parsed.data;
}
