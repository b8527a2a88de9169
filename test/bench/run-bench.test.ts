// A smoke run of the benchmark at a tiny size: the script that measures the performance targets
// keeps working (organization, slapd, emulator, the I/O floor and the four phases). The numbers
// themselves are not asserted: they belong to `npm run bench` on a quiet machine.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/bench/run-bench.mjs', import.meta.url));

test('the benchmark runs end to end at a tiny size, at the minimum of GrowthBook requests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gbsync-bench-test-'));
  try {
    const json = join(dir, 'bench.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [SCRIPT, '--sizes', 'tiny', '--no-profile', '--json', json],
      { timeout: 110_000 },
    );
    expect(stdout).toMatch(/\| \(a\) I\/O floor \|/);
    expect(stdout).toMatch(/plan converged \/ I\/O floor: \d+\.\d\d/);
    const { results } = JSON.parse(readFileSync(json, 'utf8'));
    const [tiny] = results;
    expect(tiny.rows.map((r: { phase: string }) => r.phase)).toEqual([
      '(a) I/O floor',
      '(b) plan, converged',
      '(c) plan, 10 % drift',
      '(d) apply the drift',
    ]);
    for (const row of tiny.rows) {
      expect(row.exit, row.phase).toBe(0);
      expect(row.requests, row.phase).toBe(row.minRequests);
    }
    expect(tiny.plannedChanges).toBeGreaterThan(0);
    expect(tiny.rows[3].summary).toMatchObject(tiny.rows[2].summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
