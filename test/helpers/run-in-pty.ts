// Runs the real CLI under a pseudo-terminal (util-linux `script`), so that stdout and stderr are a
// TTY as on an operator's screen. What the terminal showed comes back as one string.
import { spawn } from 'node:child_process';
import { BIN } from './run-cli.js';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export function runInPty(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    // -q: no start/done banners; -e: the command's exit code; -c: the command; /dev/null: no log file.
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, TERM: 'xterm', COLUMNS: '160', ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI under a pty timed out: ${args.join(' ')}\n${screen}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
