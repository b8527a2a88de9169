// Runs an external checker (kustomize, promtool, python3) for the deployment tests. A missing tool
// fails the test with what to install: these checks never pass by being skipped.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; missing?: string } = {},
): ToolResult {
  const r = spawnSync(command, args, { cwd: options.cwd ?? REPO, encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(
        `${command} is not installed: ${options.missing ?? 'run scripts/setup-test-deps.sh (it installs what these tests need)'}`,
      );
    }
    throw r.error;
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Whether a command exists on PATH. */
export function hasCommand(command: string): boolean {
  return !spawnSync('sh', ['-c', `command -v ${command}`]).status;
}
