import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishMetrics } from '../../src/observe/metrics.js';
import { FINISHED_MS, parseSamples, realisticInput, startGateway } from './helpers.js';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function arrayLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 40) };
}

let dir: string;
let closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gbsync-publish-'));
});
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
  await rm(dir, { recursive: true, force: true });
});

async function gateway(...args: Parameters<typeof startGateway>) {
  const started = await startGateway(...args);
  closers.push(started.close);
  return started;
}

describe('publishMetrics', () => {
  it('writes the textfile and pushes, warning about nothing', async () => {
    const gw = await gateway();
    const textfile = join(dir, 'growthbook_ldap_sync.prom');
    const { logger, warnings } = arrayLogger();
    await publishMetrics(
      realisticInput({ succeeded: true, exitCode: 0 }),
      { textfile, pushgatewayUrl: gw.origin },
      logger,
    );
    expect(warnings()).toEqual([]);
    const written = await readFile(textfile, 'utf8');
    expect(parseSamples(written).get('gbsync_last_success_timestamp_seconds')).toBe(FINISHED_MS / 1000);
    expect(gw.received[0]?.body).toBe(written);
  });

  it('after a failed run keeps the textfile last success and leaves it out of the push', async () => {
    const gw = await gateway();
    const textfile = join(dir, 'growthbook_ldap_sync.prom');
    const config = { textfile, pushgatewayUrl: gw.origin };
    const { logger } = arrayLogger();
    await publishMetrics(realisticInput({ succeeded: true, exitCode: 0 }), config, logger);
    const later = FINISHED_MS + 1_800_000;
    await publishMetrics(realisticInput({ startedAtMs: later - 5_000, finishedAtMs: later }), config, logger);

    const file = parseSamples(await readFile(textfile, 'utf8'));
    expect(file.get('gbsync_last_success_timestamp_seconds')).toBe(FINISHED_MS / 1000);
    expect(file.get('gbsync_last_run_timestamp_seconds')).toBe(later / 1000);
    expect(file.get('gbsync_exit_code')).toBe(5);

    const pushed = gw.received[1]?.body ?? '';
    expect(pushed).not.toContain('gbsync_last_success_timestamp_seconds');
    expect(parseSamples(pushed).get('gbsync_last_run_timestamp_seconds')).toBe(later / 1000);
  });

  it('logs each failure as a warning and never throws', async () => {
    const gw = await gateway(() => ({ status: 500 }));
    const host = gw.origin.replace('http://', '');
    const textfile = join(dir, 'missing', 'growthbook_ldap_sync.prom');
    const { logger, warnings, lines } = arrayLogger();
    await expect(
      publishMetrics(realisticInput(), { textfile, pushgatewayUrl: `http://${host}/?token=sekrit` }, logger),
    ).resolves.toBeUndefined();

    const byMessage = Object.fromEntries(warnings().map((l) => [l.msg, l]));
    expect(byMessage['metrics textfile not written']).toMatchObject({
      textfile,
      error: `metrics textfile ${textfile}: directory ${join(dir, 'missing')} does not exist`,
    });
    expect(byMessage['metrics push failed']).toMatchObject({
      error: `metrics push to ${host} failed: HTTP 500`,
    });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|sekrit/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('warns about a pushgateway URL that is not one, and still writes the textfile', async () => {
    const textfile = join(dir, 'growthbook_ldap_sync.prom');
    const { logger, warnings } = arrayLogger();
    await publishMetrics(realisticInput(), { textfile, pushgatewayUrl: '::nope::' }, logger);
    expect(warnings().map((l) => l.msg)).toEqual(['metrics push failed']);
    expect(await readdir(dir)).toEqual(['growthbook_ldap_sync.prom']);
  });

  it('does nothing when neither output is configured', async () => {
    const { logger, lines } = arrayLogger();
    await publishMetrics(realisticInput(), {}, logger);
    expect(lines).toEqual([]);
  });

  it('passes push options through (timeout)', async () => {
    const gw = await gateway(() => 'hang');
    const { logger, warnings } = arrayLogger();
    await publishMetrics(realisticInput(), { pushgatewayUrl: gw.origin }, logger, { timeoutMs: 100 });
    expect(warnings()[0]?.error).toMatch(/timed out after 100 ms/);
  });
});
