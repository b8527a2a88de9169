// A saved plan is applied only as it was written: an edited file is refused by its checksum, and even
// a consistently re-sealed edit is refused because the fresh plan's set of changes differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { planChecksum } from '../../src/reconcile/saved-plan.js';
import { THREE_PEOPLE, threeMembers, type World, worldPerTest } from '../helpers/world.js';

const given = worldPerTest();
const people = THREE_PEOPLE;
const members = () => threeMembers('admin');
const planFile = (w: World) => join(w.dir, 'plan.json');

interface SavedFile {
  checksum?: string;
  report: { actions: { kind: string; email: string }[] };
}
const load = (w: World) => JSON.parse(readFileSync(planFile(w), 'utf8')) as SavedFile;
const withoutRevoke = (saved: SavedFile): SavedFile => ({
  ...saved,
  report: { ...saved.report, actions: saved.report.actions.filter((a) => a.kind !== 'revoke') },
});

test('deleting an action from a saved plan is refused by the checksum: exit 5, nothing written', async () => {
  const w = await given({ people, members: members() });
  await w.runJson('plan', ['--out', planFile(w)]);
  const saved = load(w);
  expect(saved.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(saved.report.actions.map((a) => a.kind)).toContain('revoke');
  writeFileSync(planFile(w), JSON.stringify(withoutRevoke(saved)));
  const r = await w.runJson('apply', ['--plan', planFile(w)]);
  expect(r.code).toBe(5);
  expect((r.doc as { refused?: string }).refused).toMatch(/edited after plan --out wrote it/);
  expect(w.writes()).toHaveLength(0);
});

test('a deleted action with a re-computed checksum is still refused: the sets of changes differ', async () => {
  const w = await given({ people, members: members() });
  await w.runJson('plan', ['--out', planFile(w)]);
  const { checksum: _, ...rest } = withoutRevoke(load(w));
  writeFileSync(planFile(w), JSON.stringify({ ...rest, checksum: planChecksum(rest) }));
  const r = await w.runJson('apply', ['--plan', planFile(w)]);
  expect(r.code).toBe(5);
  expect((r.doc as { refused?: string }).refused).toMatch(
    /c@wikimedia\.org in \S+: now revoke → noaccess, not in the saved plan/,
  );
  expect(w.writes()).toHaveLength(0);
});

test('a plan file without a checksum is refused', async () => {
  const w = await given({ people, members: members() });
  await w.runJson('plan', ['--out', planFile(w)]);
  const { checksum: _, ...rest } = load(w);
  writeFileSync(planFile(w), JSON.stringify(rest));
  const r = await w.runJson('apply', ['--plan', planFile(w)]);
  expect(r.code).toBe(5);
  expect((r.doc as { refused?: string }).refused).toMatch(/carries no checksum/);
  expect(w.writes()).toHaveLength(0);
});
