// Runs a command under GNU time: wall, user + system CPU and peak RSS of that process. Without GNU
// time (a machine that lacks the `time` package), only the wall time is measured.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

export function measureAvailable() {
  return existsSync(TIME);
}

/** Resolves to {code, wallMs, cpuMs, rssMb, stdout, stderr}. */
export function measure(dir, command, args, options = {}) {
  const report = join(dir, `time-${process.hrtime.bigint()}.txt`);
  const timed = measureAvailable();
  const started = performance.now();
  const argv = timed ? [TIME, ['-o', report, '-f', '%U %S %M', command, ...args]] : [command, args];
  const child = spawn(argv[0], argv[1], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = [];
  const err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      const last = timed ? (readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '') : '';
      rmSync(report, { force: true });
      const [user, system, rssKb] = timed
        ? last.split(' ').map(Number)
        : [Number.NaN, Number.NaN, Number.NaN];
      resolve({
        code,
        wallMs,
        cpuMs: (user + system) * 1000,
        rssMb: rssKb / 1024,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
