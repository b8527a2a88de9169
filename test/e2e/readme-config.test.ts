// The README's sample configuration runs as shown: only the addresses are pointed at this machine's
// servers (a slapd over ldaps://, the emulator, a gitiles-shaped server); every other line is the
// README's. It also proves the API key precedence the README documents.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import {
  ADMIN,
  CANARY_KEY,
  GATE,
  PROJECT,
  READONLY,
  seedMember,
  type World,
  worldPerTest,
} from '../helpers/world.js';

const given = worldPerTest({ ldap: 'slapd' });

function readmeConfig(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('```yaml\ngrowthbook:');
  return readme.slice(start + 8, readme.indexOf('```', start + 7));
}

/** The README's configuration with its addresses replaced by the world's. */
function pointAt(w: World, text: string): string {
  const replacements: [RegExp, string][] = [
    [/https:\/\/growthbook-api\.wikimedia\.org/, w.emulator.url],
    [/prj_xxxxxxxx/, PROJECT],
    [/ldaps:\/\/ldap-ro\.eqiad\.wikimedia\.org:636/, w.slapd?.ldapsUrl ?? ''],
    [/https:\/\/gerrit\.wikimedia\.org\/\S+/, w.gitiles.url],
    [/\/var\/lib\/prometheus\/node\.d\/growthbook_ldap_sync\.prom/, join(w.dir, 'gbsync.prom')],
    [/http:\/\/prometheus-pushgateway:9091/, 'http://127.0.0.1:9'],
  ];
  let out = text;
  for (const [from, to] of replacements) {
    expect(out).toMatch(from);
    out = out.replace(from, to);
  }
  return out;
}

const people = [
  { uid: 'a', ldap: [ADMIN], posix: [GATE] },
  { uid: 'r', ldap: [READONLY], posix: [GATE] },
];

test("the README's sample configuration runs as shown, the API key from the environment", async () => {
  const w = await given({ people, members: [seedMember('a'), seedMember('r')] });
  writeFileSync(w.configPath, pointAt(w, readmeConfig()));
  // apiKeyFile names /run/secrets/…, absent here: the environment variable wins, so it is not read.
  const r = await w.runJson('apply');
  expect(r.code, r.stderr).toBe(0);
  expect(r.doc.summary).toMatchObject({ grant: 2 });
  expect(readFileSync(join(w.dir, 'gbsync.prom'), 'utf8')).toContain('gbsync_exit_code 0');
});

test('growthbook.apiKeyFile is used when GROWTHBOOK_LDAP_SYNC_API_KEY is unset, and only then', async () => {
  const w = await given({ people, members: [seedMember('a')] });
  const keyFile = join(w.dir, 'api-key');
  writeFileSync(keyFile, `${CANARY_KEY}\n`);
  writeFileSync(w.configPath, pointAt(w, readmeConfig()).replace('/run/secrets/growthbook-api-key', keyFile));
  const fromFile = await w.runJson('plan', [], { GROWTHBOOK_LDAP_SYNC_API_KEY: undefined });
  expect(fromFile.code, fromFile.stderr).toBe(0);
  // Both set: the environment's key is the one sent (a wrong one is refused by GrowthBook: exit 4).
  const both = await w.run(['plan', '--output', 'json'], {
    GROWTHBOOK_LDAP_SYNC_API_KEY: 'secret_wrong_key',
  });
  expect(both.code).toBe(4);
  expect(both.stderr).toMatch(/401/);
  writeFileSync(keyFile, '');
  const empty = await w.run(['plan'], { GROWTHBOOK_LDAP_SYNC_API_KEY: undefined });
  expect(empty.code).toBe(3);
  expect(empty.stderr).toContain('is empty, and GROWTHBOOK_LDAP_SYNC_API_KEY is not set');
});
