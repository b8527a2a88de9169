// The run lock against real files in a temp directory; liveness is real (a reaped child's pid) or
// stubbed, and races are staged by running the second acquirer inside the first one's callbacks.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConfigError, ExitCode, exitCodeOf, LockedError } from '../../src/errors.js';
import { acquireRunLock, type LockInfo, type RunLock } from '../../src/lock/run-lock.js';

let dir: string;
let lockPath: string;
const held: RunLock[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-lock-'));
  lockPath = path.join(dir, 'sync.lock');
});

afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

const acquire = (...args: Parameters<typeof acquireRunLock>): RunLock => {
  const lock = acquireRunLock(...args);
  held.push(lock);
  return lock;
};

const readInfo = (): LockInfo => JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;

const writeLock = (info: Partial<LockInfo>): LockInfo => {
  const full: LockInfo = {
    pid: 424242,
    hostname: os.hostname(),
    runId: 'old-run',
    startedAt: '2025-01-02T03:04:05.000Z',
    ...info,
  };
  fs.writeFileSync(lockPath, `${JSON.stringify(full)}\n`);
  return full;
};

/** A pid that certainly belonged to a process that has exited and been reaped. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not spawn a child process');
  return child.pid;
};

const lockedError = (fn: () => unknown): LockedError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LockedError);
    expect(exitCodeOf(error)).toBe(ExitCode.Locked);
    return error as LockedError;
  }
  throw new Error('expected LockedError');
};

describe('acquire and release', () => {
  test('creates the lock with pid, hostname, run id and start time; release removes it', () => {
    const lock = acquire(lockPath, { runId: 'run-1' });
    expect(lock.path).toBe(lockPath);
    const info = readInfo();
    expect(info).toEqual({
      pid: process.pid,
      hostname: os.hostname(),
      runId: 'run-1',
      startedAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(info.startedAt))).toBe(false);
    lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  test('release is idempotent and the lock can be taken again afterwards', () => {
    const first = acquire(lockPath, { runId: 'run-1' });
    first.release();
    first.release();
    const second = acquire(lockPath, { runId: 'run-2' });
    expect(readInfo().runId).toBe('run-2');
    first.release(); // a late release of the old lock leaves the new holder alone
    expect(readInfo().runId).toBe('run-2');
    second.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  test('release leaves a lock that is not ours', () => {
    const lock = acquire(lockPath, { runId: 'run-1' });
    const other = writeLock({ runId: 'someone-else' });
    lock.release();
    expect(readInfo()).toEqual(other);
  });

  test('release of a lock someone already removed is quiet', () => {
    const onReleaseFailure = vi.fn();
    const lock = acquire(lockPath, { runId: 'run-1', onReleaseFailure });
    fs.unlinkSync(lockPath);
    expect(() => lock.release()).not.toThrow();
    expect(onReleaseFailure).not.toHaveBeenCalled();
  });

  test('release never throws; a failure goes to onReleaseFailure', () => {
    const onReleaseFailure = vi.fn(() => {
      throw new Error('a logger that throws');
    });
    const lock = acquire(lockPath, { runId: 'run-1', onReleaseFailure });
    fs.unlinkSync(lockPath);
    fs.mkdirSync(lockPath); // reading it now fails with EISDIR
    expect(() => lock.release()).not.toThrow();
    expect(onReleaseFailure).toHaveBeenCalledTimes(1);
    fs.rmdirSync(lockPath);
  });
});

describe('held by a live run', () => {
  test('a live pid on this host → LockedError (exit 7) naming path, pid, host, run id and start time', () => {
    const holder = writeLock({ pid: process.ppid, runId: 'run-live' });
    const isAlive = vi.fn(() => true);
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2', isAlive }));
    expect(isAlive).toHaveBeenCalledWith(process.ppid);
    for (const detail of [lockPath, String(holder.pid), holder.hostname, 'run-live', holder.startedAt]) {
      expect(error.message).toContain(detail);
    }
    expect(readInfo()).toEqual(holder);
  });

  test('the real liveness check sees a running process', () => {
    writeLock({ pid: process.pid, runId: 'run-live' });
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2', pid: deadPid() }));
    expect(error.message).toContain(`pid ${process.pid}`);
  });

  test('a second acquire in the same process is refused', () => {
    acquire(lockPath, { runId: 'run-1' });
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2' }));
    expect(error.message).toContain('run-1');
    expect(readInfo().runId).toBe('run-1');
  });

  test('a lock from another host is held whatever its pid, and the message says how to clear it', () => {
    const holder = writeLock({ hostname: 'other-node-7', pid: 1 });
    const isAlive = vi.fn(() => false);
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2', isAlive }));
    expect(isAlive).not.toHaveBeenCalled();
    expect(error.message).toContain('other-node-7');
    expect(error.message).toContain(`delete ${lockPath}`);
    expect(readInfo()).toEqual(holder);
  });
});

describe('unknown content is never removed', () => {
  test.each([
    ['garbage', 'not json at all'],
    ['a JSON array', '[1,2,3]\n'],
    ['a missing run id', JSON.stringify({ pid: 5, hostname: os.hostname(), startedAt: 'x' })],
    [
      'pid 0 (a process group)',
      JSON.stringify({ pid: 0, hostname: os.hostname(), runId: 'r', startedAt: 'x' }),
    ],
    ['a negative pid', JSON.stringify({ pid: -1, hostname: os.hostname(), runId: 'r', startedAt: 'x' })],
  ])('%s → LockedError saying it is not our lock file', (_name, content) => {
    fs.writeFileSync(lockPath, content);
    const isAlive = vi.fn(() => false);
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2', isAlive }));
    expect(error.message).toContain('not a lock file this tool wrote');
    expect(isAlive).not.toHaveBeenCalled();
    expect(fs.readFileSync(lockPath, 'utf8')).toBe(content);
  });

  test('an empty file is held (a run may be writing it)', () => {
    fs.writeFileSync(lockPath, '');
    const error = lockedError(() => acquire(lockPath, { runId: 'run-2' }));
    expect(error.message).toContain('empty');
    expect(fs.existsSync(lockPath)).toBe(true);
  });
});

describe('stale lock', () => {
  test('a dead pid on this host is taken over, with onStaleTakeover', () => {
    const stale = writeLock({ pid: deadPid(), runId: 'run-dead' });
    const onStaleTakeover = vi.fn();
    const lock = acquire(lockPath, { runId: 'run-2', onStaleTakeover });
    expect(onStaleTakeover).toHaveBeenCalledExactlyOnceWith(stale);
    expect(readInfo()).toMatchObject({ runId: 'run-2', pid: process.pid });
    expect(fs.existsSync(`${lockPath}.takeover`)).toBe(false);
    lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  test('our own pid under an unknown run id is stale (a restarted container is pid 1 again)', () => {
    const stale = writeLock({ pid: 1, runId: 'previous-container' });
    const onStaleTakeover = vi.fn();
    const isAlive = vi.fn(() => true);
    acquire(lockPath, { runId: 'run-2', pid: 1, isAlive, onStaleTakeover });
    expect(isAlive).not.toHaveBeenCalled();
    expect(onStaleTakeover).toHaveBeenCalledExactlyOnceWith(stale);
    expect(readInfo()).toMatchObject({ runId: 'run-2', pid: 1 });
  });

  test('after a takeover, the next acquirer sees the fresh lock and is refused', () => {
    writeLock({ pid: 999_001, runId: 'run-dead' });
    const isAlive = (pid: number) => pid !== 999_001;
    const a = acquire(lockPath, { runId: 'run-a', pid: 1001, isAlive });
    const error = lockedError(() => acquire(lockPath, { runId: 'run-b', pid: 1002, isAlive }));
    expect(error.message).toContain('run-a');
    expect(readInfo().runId).toBe('run-a');
    a.release();
  });

  test('two takers of one stale lock: the one that judged it first but swaps it second loses', () => {
    writeLock({ pid: 999_001, runId: 'run-dead' });
    const takeovers: string[] = [];
    let b: RunLock | undefined;
    // A reads the stale lock and asks whether its pid is alive; B runs its whole acquire right then.
    const isAliveA = (pid: number) => {
      if (pid === 999_001 && b === undefined) {
        b = acquire(lockPath, {
          runId: 'run-b',
          pid: 1002,
          isAlive: (p) => p !== 999_001,
          onStaleTakeover: () => takeovers.push('b'),
        });
      }
      return pid !== 999_001;
    };
    const error = lockedError(() =>
      acquire(lockPath, {
        runId: 'run-a',
        pid: 1001,
        isAlive: isAliveA,
        onStaleTakeover: () => takeovers.push('a'),
      }),
    );
    expect(b).toBeDefined();
    expect(takeovers).toEqual(['b']);
    expect(error.message).toContain('run-b');
    expect(readInfo()).toMatchObject({ runId: 'run-b', pid: 1002 });
  });

  test('if the winner has already released, the slower taker just acquires the free lock', () => {
    writeLock({ pid: 999_001, runId: 'run-dead' });
    const takeovers: string[] = [];
    let done = false;
    const isAliveA = (pid: number) => {
      if (!done) {
        done = true;
        acquireRunLock(lockPath, {
          runId: 'run-b',
          pid: 1002,
          isAlive: (p) => p !== 999_001,
          onStaleTakeover: () => takeovers.push('b'),
        }).release();
      }
      return pid !== 999_001;
    };
    acquire(lockPath, {
      runId: 'run-a',
      pid: 1001,
      isAlive: isAliveA,
      onStaleTakeover: () => takeovers.push('a'),
    });
    expect(takeovers).toEqual(['b']); // A found no stale lock to replace, so no second warning
    expect(readInfo().runId).toBe('run-a');
  });

  test('while another taker holds the takeover claim, the lock is held and left alone', () => {
    const stale = writeLock({ pid: 999_001, runId: 'run-dead' });
    fs.writeFileSync(
      `${lockPath}.takeover`,
      JSON.stringify({ pid: 1003, hostname: os.hostname(), runId: 'run-c', startedAt: 'x' }),
    );
    const onStaleTakeover = vi.fn();
    const error = lockedError(() =>
      acquire(lockPath, { runId: 'run-a', pid: 1001, isAlive: () => false, onStaleTakeover }),
    );
    expect(error.message).toContain('run-c');
    expect(error.message).toContain(`${lockPath}.takeover`);
    expect(onStaleTakeover).not.toHaveBeenCalled();
    expect(readInfo()).toEqual(stale);
    expect(fs.existsSync(`${lockPath}.takeover`)).toBe(true);
  });
});

describe('configuration errors (exit 3)', () => {
  const configError = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(exitCodeOf(error)).toBe(ExitCode.Usage);
      return error as ConfigError;
    }
    throw new Error('expected ConfigError');
  };

  test('a missing directory', () => {
    const missing = path.join(dir, 'nope', 'sync.lock');
    const error = configError(() => acquire(missing, { runId: 'run-1' }));
    expect(error.message).toContain(path.join(dir, 'nope'));
    expect(error.message).toContain('does not exist');
  });

  test('a "directory" that is a file', () => {
    fs.writeFileSync(path.join(dir, 'file'), '');
    const error = configError(() => acquire(path.join(dir, 'file', 'sync.lock'), { runId: 'run-1' }));
    expect(error.message).toContain('not a directory');
  });

  test('a lock path that is a directory', () => {
    fs.mkdirSync(lockPath);
    const error = configError(() => acquire(lockPath, { runId: 'run-1' }));
    expect(error.message).toContain('is a directory');
  });

  // root may write anywhere: as root, the check runs in a child process that drops to nobody.
  test('a directory that is not writable', () => {
    fs.chmodSync(dir, 0o555);
    if (process.getuid?.() !== 0) {
      const error = configError(() => acquire(lockPath, { runId: 'run-1' }));
      expect(error.message).toContain('not writable');
      return;
    }
    const module = new URL('../../dist/lock/run-lock.js', import.meta.url).href;
    const script = `process.setgid(65534); process.setuid(65534);
      const { acquireRunLock } = await import(${JSON.stringify(module)});
      try { acquireRunLock(${JSON.stringify(lockPath)}, { runId: 'run-1' }); console.log('acquired'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/^ConfigError: .*not writable/);
  });
});
