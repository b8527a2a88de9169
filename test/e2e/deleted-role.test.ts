// A member whose entry in another project names a role that no longer exists (a deleted custom role):
// GrowthBook validates the whole member on every update, so it refuses every write for them. The
// sync still never alters the other project, and reports the blocked write as its own failure, with
// the project and the role, a metric series and a log line that stand out.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { logLines } from '../helpers/run-cli.js';
import { ADMIN, GATE, OTHER_PROJECT, PROJECT, seedMember, worldPerTest } from '../helpers/world.js';

const given = worldPerTest();

test('a revoke blocked by a deleted role in another project is reported with the project and the role', async () => {
  const w = await given({
    people: [
      { uid: 'gone', ldap: [], posix: [GATE] },
      { uid: 'ok', ldap: [ADMIN], posix: [GATE] },
    ],
    members: [
      seedMember('gone', {
        projectRoles: [
          { project: PROJECT, role: 'admin' },
          { project: OTHER_PROJECT, role: 'RetiredAnalyst' }, // no such role any more
        ],
      }),
      seedMember('ok'),
    ],
  });
  const textfile = join(w.dir, 'sync.prom');
  writeFileSync(w.configPath, `${readFileSync(w.configPath, 'utf8')}metrics:\n  textfile: ${textfile}\n`);

  const r = await w.runJson('apply');
  expect(r.code).toBe(5);
  const gone = r.doc.actions.find((a) => a.email === 'gone@wikimedia.org') as Record<string, unknown>;
  expect(gone).toMatchObject({
    kind: 'revoke',
    result: 'failed',
    blockedBy: { project: OTHER_PROJECT, role: 'RetiredAnalyst' },
  });
  expect(String(gone.detail)).toContain(`role "RetiredAnalyst" in project ${OTHER_PROJECT} no longer exists`);
  // The other members are still written; the other project is never altered.
  expect(r.doc.actions.find((a) => a.email === 'ok@wikimedia.org')?.result).toBe('applied');
  expect(w.emulator.member('u_gone')?.projectRoles).toEqual([
    expect.objectContaining({ project: PROJECT, role: 'admin' }),
    expect.objectContaining({ project: OTHER_PROJECT, role: 'RetiredAnalyst' }),
  ]);
  const blocked = logLines(r.stderr).find(
    (l) => l.msg === 'revoke blocked by a role that no longer exists in another project',
  );
  expect(blocked).toMatchObject({
    level: 'error',
    email: 'gone@wikimedia.org',
    project: OTHER_PROJECT,
    role: 'RetiredAnalyst',
  });
  expect(readFileSync(textfile, 'utf8')).toMatch(
    new RegExp(
      `^gbsync_blocked_writes\\{project="${PROJECT}",kind="revoke",blocked_by_project="${OTHER_PROJECT}",role="RetiredAnalyst"\\} 1$`,
      'm',
    ),
  );
});
