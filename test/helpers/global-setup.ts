// Once per test run: the TLS certificates every slapd uses, and a directory where each slapd records
// its process id. The teardown stops any slapd still recorded (a test file that died before its
// afterAll) and deletes it all.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeCerts } from './test-certs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    gbsyncRunDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'gbsync-run-'));
  mkdirSync(join(dir, 'pids'));
  await makeCerts(join(dir, 'certs'));
  project.provide('gbsyncRunDir', dir);
  return () => {
    for (const file of readdirSync(join(dir, 'pids'))) {
      const pid = Number(readFileSync(join(dir, 'pids', file), 'utf8'));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
