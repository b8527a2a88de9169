import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLastSuccess, renderMetrics, writeMetricsTextfile } from '../../src/observe/metrics.js';
import { realisticInput } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gbsync-metrics-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeMetricsTextfile', () => {
  it('writes the text and leaves no temp file behind', async () => {
    const path = join(dir, 'growthbook_ldap_sync.prom');
    await writeMetricsTextfile(path, 'gbsync_exit_code 0\n');
    await writeMetricsTextfile(path, 'gbsync_exit_code 5\n');
    expect(await readFile(path, 'utf8')).toBe('gbsync_exit_code 5\n');
    expect(await readdir(dir)).toEqual(['growthbook_ldap_sync.prom']);
  });

  it('is never observed partially written by a concurrent reader', async () => {
    const path = join(dir, 'growthbook_ldap_sync.prom');
    // Two large, distinct texts; a reader must only ever see one or the other, whole.
    const texts = ['a', 'b'].map((c) => `${`gbsync_filler{x="${c.repeat(200)}"} 1\n`.repeat(20_000)}`);
    await writeMetricsTextfile(path, texts[0] ?? '');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await writeMetricsTextfile(path, texts[i % 2] ?? '');
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const seen = await readFile(path, 'utf8');
      expect(seen === texts[0] || seen === texts[1]).toBe(true);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual(['growthbook_ldap_sync.prom']);
  });

  it('fails clearly when the directory is missing, creating nothing', async () => {
    const path = join(dir, 'missing', 'growthbook_ldap_sync.prom');
    await expect(writeMetricsTextfile(path, 'gbsync_exit_code 0\n')).rejects.toThrow(
      `metrics textfile ${path}: directory ${join(dir, 'missing')} does not exist`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes its temp file when the rename fails', async () => {
    // A non-empty directory where the file should be: rename cannot replace it.
    const path = join(dir, 'growthbook_ldap_sync.prom');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(writeMetricsTextfile(path, 'gbsync_exit_code 0\n')).rejects.toThrow(
      `metrics textfile ${path}:`,
    );
    expect(await readdir(dir)).toEqual(['growthbook_ldap_sync.prom']);
  });
});

describe('readLastSuccess', () => {
  it('reads the value back from a rendered textfile', async () => {
    const path = join(dir, 'm.prom');
    const text = await renderMetrics(realisticInput({ succeeded: true, exitCode: 0 }));
    await writeMetricsTextfile(path, text);
    expect(await readLastSuccess(path)).toBe(1_700_000_012.5);
  });

  it('returns undefined for a missing file', async () => {
    expect(await readLastSuccess(join(dir, 'none.prom'))).toBeUndefined();
  });

  it.each([
    ['garbage', '\u0000\u0001not metrics at all'],
    ['no such gauge', 'gbsync_exit_code 4\n'],
    ['a value that is not a number', 'gbsync_last_success_timestamp_seconds soon\n'],
    ['a negative value', 'gbsync_last_success_timestamp_seconds -1\n'],
    ['a longer metric name', 'gbsync_last_success_timestamp_seconds_total 1700000000\n'],
  ])('returns undefined for %s', async (_label, content) => {
    const path = join(dir, 'm.prom');
    await writeFile(path, content);
    expect(await readLastSuccess(path)).toBeUndefined();
  });

  it('ignores the HELP line and reads the sample', async () => {
    const path = join(dir, 'm.prom');
    await writeFile(
      path,
      '# HELP gbsync_last_success_timestamp_seconds 3 words\n' +
        '# TYPE gbsync_last_success_timestamp_seconds gauge\n' +
        'gbsync_last_success_timestamp_seconds 1700000000\n',
    );
    expect(await readLastSuccess(path)).toBe(1_700_000_000);
  });
});
