// Group members that are not people (a Toolforge service group, a DN left behind by an offboarding,
// an entry without a uid) grant nothing and are not a source error, from an LDIF export and from a
// real slapd alike; ldap.strictMembers turns them back into one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { logLines, stderrText } from '../helpers/run-cli.js';
import {
  ADMIN,
  GATE,
  LDAP_KINDS,
  PROJECT,
  READONLY,
  seedMember,
  type WorldSpec,
  worldPerTest,
} from '../helpers/world.js';

const SERVICE_GROUP = 'cn=tools.example-bot,ou=servicegroups,dc=wikimedia,dc=org';
const ROBOT = 'cn=robot,ou=people,dc=wikimedia,dc=org';
const ROBOT_ENTRY = [`dn: ${ROBOT}`, 'objectClass: device', 'cn: robot', ''].join('\n');

/** growthbook-readonly names only non-people now; r held readonly through it and a stays admin. */
const spec = (extra: Partial<WorldSpec> = {}): WorldSpec => ({
  people: [
    { uid: 'a', ldap: [ADMIN], posix: [GATE] },
    { uid: 'r', ldap: [], posix: [GATE] },
    { uid: 'jformer', ldap: [READONLY], posix: [GATE], noEntry: true },
  ],
  members: [
    seedMember('a', { projectRoles: [{ project: PROJECT, role: 'admin' }] }),
    seedMember('r', { projectRoles: [{ project: PROJECT, role: 'readonly' }] }),
  ],
  extraGroupMembers: { [READONLY]: [SERVICE_GROUP, ROBOT] },
  extraLdif: ROBOT_ENTRY,
  ...extra,
});

for (const kind of LDAP_KINDS) {
  describe(`non-person group members (${kind})`, () => {
    const given = worldPerTest({ ldap: kind });

    test('a group of only non-people grants nothing: its former member is revoked; one warning lists them', async () => {
      const w = await given(spec());
      const textfile = join(w.dir, 'gbsync.prom');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(w.configPath, `${readFileSync(w.configPath, 'utf8')}metrics:\n  textfile: ${textfile}\n`);
      const r = await w.runJson('apply');
      expect(r.code, r.stderr).toBe(0);
      expect(r.doc.actions.filter((a) => a.kind !== 'noop')).toEqual([
        expect.objectContaining({ kind: 'revoke', memberId: 'u_r', from: 'readonly', to: 'noaccess' }),
      ]);
      expect(r.doc.safety.tripped).toBe(false);
      expect(w.emulator.member('u_r')?.projectRoles?.map((p) => p.role)).toEqual(['noaccess']);
      expect(w.emulator.member('u_a')?.projectRoles?.[0]?.role).toBe('admin');

      const warnings = logLines(r.stderr).filter((l) => String(l.msg).includes('not people were ignored'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({
        level: 'warn',
        ignored_count: 3,
        ignored_by_reason: { 'outside-people-base': 1, 'no-entry': 1, 'no-uid': 1 },
      });
      expect(warnings[0]?.ignored_members).toEqual(
        expect.arrayContaining([
          `growthbook-readonly: ${SERVICE_GROUP} (outside-people-base)`,
          `growthbook-readonly: ${ROBOT} (no-uid)`,
          'growthbook-readonly: uid=jformer,ou=People,dc=wikimedia,dc=org (no-entry)',
        ]),
      );
      const metrics = readFileSync(textfile, 'utf8');
      for (const reason of ['outside-people-base', 'no-entry', 'no-uid']) {
        expect(metrics).toContain(`gbsync_ignored_members{reason="${reason}"} 1`);
      }
    });

    test('check lists every ignored member with its reason', async () => {
      const w = await given(spec());
      const json = await w.run(['check', '--output', 'json']);
      expect(json.code, json.stderr).toBe(0);
      const doc = JSON.parse(json.stdout) as { ignoredMembers: unknown[]; sources: { found: object }[] };
      expect(doc.ignoredMembers).toEqual(
        expect.arrayContaining([
          { group: READONLY, dn: SERVICE_GROUP, reason: 'outside-people-base' },
          { group: READONLY, dn: ROBOT, reason: 'no-uid' },
          { group: READONLY, dn: 'uid=jformer,ou=People,dc=wikimedia,dc=org', reason: 'no-entry' },
        ]),
      );
      const human = await w.run(['check', '--output', 'human']);
      expect(human.stdout).toContain('Ignored group members (not people; they grant nothing): 3');
      expect(human.stdout).toContain(`growthbook-readonly  ${SERVICE_GROUP}  (outside-people-base)`);
      expect(human.stdout).toMatch(
        /groups: growthbook-admin 1, growthbook-customelevatedaccess 0, growthbook-readonly 0/,
      );
    });

    test('ldap.strictMembers: true makes them a source error (exit 4, nothing written)', async () => {
      const w = await given(spec({ strictMembers: true }));
      const r = await w.run(['apply', '--output', 'json']);
      expect(r.code, r.stderr).toBe(4);
      const said = stderrText(r.stderr);
      expect(said).toContain(`group "growthbook-readonly" has member ${SERVICE_GROUP}, which is not under`);
      expect(said).toContain('which is not an existing entry (ldap.strictMembers)');
      expect(said).toContain(`has member ${ROBOT}, which is an entry without a uid`);
      expect(w.writes()).toHaveLength(0);
    });
  });
}
