// `--lock-file PATH`: at most one run writes at a time. A run that finds the lock held by a live run
// fails at once (LockedError, exit 7); a lock whose process is gone is taken over with a warning.
//
// Kubernetes CronJobs with `concurrencyPolicy: Forbid` already keep runs from overlapping; this file
// is for plain hosts (cron, Airflow workers) and volumes shared between runs.
//
// Liveness can only be checked on the host that wrote the lock, and a pid only means something in the
// pid namespace it came from (in a container every run may be pid 1). So a lock records pid, hostname
// and run id, and a pid is only judged on the same hostname; a lock from another hostname is held until
// an operator removes it. This assumes a hostname names one pid namespace, which holds for hosts and for
// pods without `hostNetwork`.
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { ConfigError, LockedError } from '../errors.js';
import { messageOf } from '../util/message-of.js';

export interface LockInfo {
  pid: number;
  hostname: string;
  runId: string;
  /** ISO 8601. */
  startedAt: string;
}

export interface RunLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent, synchronous and never throws, so it is safe
   * in a `finally` or an exit handler. */
  release(): void;
}

export interface AcquireOptions {
  runId: string;
  /** Called after a stale lock (its process gone) was replaced; the caller logs the warning. */
  onStaleTakeover?: (info: LockInfo) => void;
  /** Called when release() could not remove our lock file; the next run on this host takes it over. */
  onReleaseFailure?: (error: unknown) => void;
  isAlive?: (pid: number) => boolean;
  hostname?: string;
  pid?: number;
}

// Locks this process holds (absolute path + run id). A lock naming our own pid and host but none of
// these was left by an earlier process that had our pid (a restarted container is pid 1 again).
const heldHereSet = new Set<string>();
const heldKey = (absolutePath: string, runId: string) => `${absolutePath}\n${runId}`;

// A few rounds cover a lock released or replaced between our create and our read; more means churn
// we should not fight.
const MAX_ATTEMPTS = 5;

export function acquireRunLock(path: string, options: AcquireOptions): RunLock {
  const absolutePath = nodePath.resolve(path);
  checkDirectory(path, nodePath.dirname(absolutePath));
  const self: LockInfo = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? os.hostname(),
    runId: options.runId,
    startedAt: new Date().toISOString(),
  };
  const content = `${JSON.stringify(self)}\n`;
  const isAlive = options.isAlive ?? processIsAlive;

  const acquired = (): RunLock => {
    heldHereSet.add(heldKey(absolutePath, self.runId));
    return makeLock(path, absolutePath, content, self.runId, options.onReleaseFailure);
  };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(path, content)) return acquired();
    const existing = readLockFile(path);
    if (existing === undefined) continue; // released between our create and our read
    const info = parseLockInfo(existing);
    if (info === undefined) throw new LockedError(notALock(path, existing));
    if (!isStale(info, self, absolutePath, isAlive)) throw new LockedError(heldMessage(path, info, self));
    if (replaceStale(path, existing, content, self)) {
      options.onStaleTakeover?.(info);
      return acquired();
    }
    // The file changed under us (another run took it over, or it was removed): judge it afresh.
  }
  throw new LockedError(`lock file ${path} kept changing while we tried to take it; another run is starting`);
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user. Anything but ESRCH counts as alive.
    return errorCode(error) !== 'ESRCH';
  }
}

function checkDirectory(path: string, directory: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(directory);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new ConfigError(`lock file ${path}: directory ${directory} does not exist`, { cause: error });
    }
    throw new ConfigError(`lock file ${path}: cannot inspect directory ${directory}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (!stat.isDirectory()) throw new ConfigError(`lock file ${path}: ${directory} is not a directory`);
  try {
    fs.accessSync(directory, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw new ConfigError(`lock file ${path}: directory ${directory} is not writable`, { cause: error });
  }
}

/** O_EXCL create: true when we made the file, false when it already existed. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx', 0o644);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ConfigError(
        `lock file ${path}: directory ${nodePath.dirname(path)} is not writable (${code})`,
        {
          cause: error,
        },
      );
    }
    throw new ConfigError(`lock file ${path}: cannot create: ${messageOf(error)}`, { cause: error });
  }
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } catch (error) {
    // The file is ours (we created it); leaving it half-written would block every later run.
    closeQuietly(fd);
    unlinkQuietly(path);
    throw new ConfigError(`lock file ${path}: cannot write: ${messageOf(error)}`, { cause: error });
  }
  fs.closeSync(fd);
  return true;
}

/** The file's text, or undefined when it does not exist. */
function readLockFile(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new ConfigError(`lock file ${path} is a directory`, { cause: error });
    // Unreadable is treated as held: we cannot tell whose it is.
    throw new LockedError(
      `lock file ${path} exists but cannot be read (${code ?? messageOf(error)}); ` +
        'if no run is active, delete it',
      { cause: error },
    );
  }
}

function parseLockInfo(text: string): LockInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, hostname, runId, startedAt } = value as Record<string, unknown>;
  // pid must be a positive integer: kill(0) and kill(-1) address process groups, not a process.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof hostname !== 'string' || hostname === '') return undefined;
  if (typeof runId !== 'string' || runId === '') return undefined;
  if (typeof startedAt !== 'string') return undefined;
  return { pid, hostname, runId, startedAt };
}

function isStale(
  info: LockInfo,
  self: LockInfo,
  absolutePath: string,
  isAlive: (pid: number) => boolean,
): boolean {
  if (info.hostname !== self.hostname) return false;
  // Our own pid: either this process holds it, or the process that had our pid before us is gone.
  if (info.pid === self.pid) return !heldHereSet.has(heldKey(absolutePath, info.runId));
  return !isAlive(info.pid);
}

/**
 * Replaces the stale lock whose text is `staleText` with ours. Deleting by path is not conditional on
 * content, so two takers could each delete the other's fresh lock; a claim file created with O_EXCL
 * lets one taker at a time check that the lock is still the stale one and swap it. Returns false
 * when the lock changed meanwhile.
 */
function replaceStale(path: string, staleText: string, content: string, self: LockInfo): boolean {
  const claimPath = `${path}.takeover`;
  let claimFd: number;
  try {
    claimFd = fs.openSync(claimPath, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') {
      throw new ConfigError(`lock file ${path}: cannot create ${claimPath}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    throw new LockedError(claimHeldMessage(path, claimPath, self));
  }
  try {
    try {
      fs.writeSync(claimFd, `${JSON.stringify(self)}\n`);
    } finally {
      closeQuietly(claimFd);
    }
    if (readLockFile(path) !== staleText) return false;
    try {
      fs.unlinkSync(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        throw new ConfigError(`lock file ${path}: cannot remove the stale lock: ${messageOf(error)}`, {
          cause: error,
        });
      }
    }
    // Someone may create the lock between the unlink and this create; O_EXCL decides, and the loser
    // sees the winner's fresh lock on its next round.
    return tryCreate(path, content);
  } finally {
    unlinkQuietly(claimPath);
  }
}

function makeLock(
  path: string,
  absolutePath: string,
  content: string,
  runId: string,
  onReleaseFailure: ((error: unknown) => void) | undefined,
): RunLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      heldHereSet.delete(heldKey(absolutePath, runId));
      try {
        // Only our own lock is removed: a lock taken over by another run is theirs now.
        if (fs.readFileSync(path, 'utf8') !== content) return;
        fs.unlinkSync(path);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return;
        try {
          onReleaseFailure?.(error);
        } catch {
          // release() must not throw: it runs in finally blocks and exit handlers.
        }
      }
    },
  };
}

function heldMessage(path: string, info: LockInfo, self: LockInfo): string {
  const holder = `run ${info.runId} (pid ${info.pid} on host ${info.hostname}, started ${info.startedAt})`;
  if (info.hostname !== self.hostname) {
    return (
      `lock file ${path} is held by ${holder}; that host is not this one (${self.hostname}), so whether ` +
      `the run is still alive cannot be checked from here. If host ${info.hostname} is gone and no run is ` +
      `active, delete ${path}`
    );
  }
  if (info.pid === self.pid) return `lock file ${path} is already held by this process: ${holder}`;
  return (
    `lock file ${path} is held by ${holder}, and pid ${info.pid} is running; if that process is not ` +
    `a growthbook-ldap-sync run, delete ${path}`
  );
}

function notALock(path: string, text: string): string {
  if (text.trim() === '') {
    return (
      `lock file ${path} is empty: a run may be creating it this instant, or one died while creating ` +
      'it; if no run is active, delete it'
    );
  }
  const excerpt = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return (
    `lock file ${path} exists but is not a lock file this tool wrote (content ${excerpt}); ` +
    'it is left alone: check what it is and delete it if no run is active'
  );
}

function claimHeldMessage(path: string, claimPath: string, self: LockInfo): string {
  let by = '';
  try {
    const claimant = parseLockInfo(fs.readFileSync(claimPath, 'utf8'));
    if (claimant) by = ` by run ${claimant.runId} (pid ${claimant.pid} on host ${claimant.hostname})`;
  } catch {
    // The claim vanished or is unreadable: the generic message stands.
  }
  return (
    `lock file ${path} is stale and another run is taking it over${by} (${claimPath} exists); ` +
    `if no run is active on host ${self.hostname}, a takeover was interrupted: delete ${claimPath} and ${path}`
  );
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing useful to do with a failed close of a file we are abandoning.
  }
}

function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Already gone or not removable; the caller reports what matters.
  }
}
