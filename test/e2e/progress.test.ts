// The progress line, seen the way an operator sees it: the CLI runs under a pseudo-terminal.
import { describe, expect, test } from 'vitest';
import { runInPty } from '../helpers/run-in-pty.js';
import { CANARY_KEY, THREE_PEOPLE, threeMembers, type World, worldPerTest } from '../helpers/world.js';

const given = worldPerTest({ ldap: 'slapd' });

// Three changes, paced at 30 a minute (2 s apart): the writes wait for their slots even when a busy
// machine makes each request slow.
const world = () =>
  given({
    people: THREE_PEOPLE,
    members: threeMembers('admin'),
    growthbook: { requestsPerMinute: 30 },
  });

const inPty = (w: World, args: string[], env: Record<string, string> = {}) =>
  runInPty([...args, '--config', w.configPath], {
    GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY,
    LDAP_CA_CERT_PATH: w.slapd?.certs.caPath,
    ...env,
  });

describe('progress on a terminal', () => {
  test('apply shows member pages, LDAP batches and writes with the pacing wait, then the report', async () => {
    const w = await world();
    const r = await inPty(w, ['apply']);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('GrowthBook members: page 1 read');
    expect(r.screen).toContain('LDAP: people by mail, batch 1 of 1');
    expect(r.screen).toContain('GrowthBook writes: 0 of 3 done');
    expect(r.screen).toContain('GrowthBook writes: 3 of 3 done');
    expect(r.screen).toMatch(/GrowthBook writes: \d of 3 done · next in \d+\.\d s \(pacing\)/);
    // Redrawn in place and cleared before the report: erase-line sequences, styled as dim.
    expect(r.screen).toContain('\r\u001b[2K');
    // The line is cleared last; the report follows on a clean line.
    const afterProgress = r.screen.slice(r.screen.lastIndexOf('\r\u001b[2K') + 5);
    expect(afterProgress).toMatch(/revoke/);
    expect(afterProgress).not.toContain('GrowthBook writes:');
    expect(r.screen).not.toContain(CANARY_KEY);
  });

  test('NO_COLOR: the same progress without any escape sequence', async () => {
    const w = await world();
    const r = await inPty(w, ['plan'], { NO_COLOR: '1' });
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('GrowthBook members: page 1 read');
    expect(r.screen).not.toContain('\u001b[');
  });

  test('nothing of it with --output json, or at debug level', async () => {
    const w = await world();
    for (const args of [
      ['plan', '--output', 'json'],
      ['plan', '--log-level', 'debug'],
    ]) {
      const r = await inPty(w, args);
      expect(r.code, r.screen).toBe(0);
      expect(r.screen).not.toContain('GrowthBook members: page');
      expect(r.screen).not.toContain('LDAP: people by');
    }
  });

  test('nothing of it when stderr is not a terminal', async () => {
    const w = await world();
    const r = await w.run(['apply', '--output', 'human']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('GrowthBook writes:');
    expect(r.stdout + r.stderr).not.toContain('\r');
  });
});
