// The node_exporter textfile collector reads `*.prom` files at scrape time, so the file must change in
// one step: write a sibling temp file (not `*.prom`, so a scrape never picks it up), fsync, rename.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const LAST_SUCCESS_METRIC = 'gbsync_last_success_timestamp_seconds';

export async function writeMetricsTextfile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // 'wx': never reuse or follow an existing file at the temp name.
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw textfileError(path, dir, error);
  }
  await syncDirectory(dir);
}

/** The last-success timestamp recorded in an existing textfile; undefined when absent or unreadable. */
export async function readLastSuccess(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw textfileError(path, dirname(path), error);
  }
  const match = new RegExp(`^${LAST_SUCCESS_METRIC}(?:\\{\\})?[ \\t]+(\\S+)`, 'm').exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

// Makes the rename itself durable across a crash; some filesystems refuse to fsync a directory.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the file content is already synced and renamed.
  }
}

function textfileError(path: string, dir: string, error: unknown): Error {
  const code = errorCode(error);
  if (code === 'ENOENT') return new Error(`metrics textfile ${path}: directory ${dir} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return new Error(`metrics textfile ${path}: permission denied`);
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`metrics textfile ${path}: ${message}`);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
