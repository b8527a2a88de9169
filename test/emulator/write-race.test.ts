// §8 step 10: every write replaces the whole members array read at the start of the request, so
// concurrent writes to different members lose all but the last.
import { afterEach, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../helpers/test-emulator.js';
import { bob, seed, updateRole } from './helpers.js';

let emu: Emulator;
afterEach(() => emu.close());

test('two concurrent updates to different members: one is lost', async () => {
  emu = await startEmulator({ seed: seed(), beforeWrite: 100 });
  const [a, b] = await Promise.all([
    updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } }),
    updateRole(emu.url, 'u_carol', { member: { role: 'readonly' } }),
  ]);
  // Both callers are told they succeeded…
  expect([a.status, b.status]).toEqual([200, 200]);
  // …but only one change survives.
  const roles = [emu.member('u_alice')?.globalRole, emu.member('u_carol')?.globalRole];
  expect(roles.filter((r) => r === 'readonly')).toHaveLength(1);
});

test('the same updates made one after the other both stick', async () => {
  emu = await startEmulator({ seed: seed(), beforeWrite: 100 });
  await updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } });
  await updateRole(emu.url, 'u_carol', { member: { role: 'readonly' } });
  expect([emu.member('u_alice')?.globalRole, emu.member('u_carol')?.globalRole]).toEqual([
    'readonly',
    'readonly',
  ]);
});

test('a write also undoes a state change made while it was in flight', async () => {
  emu = await startEmulator({ seed: seed(), beforeWrite: 100 });
  const pending = updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } });
  await new Promise((r) => setTimeout(r, 30));
  emu.setMember({ ...bob, globalRole: 'admin' });
  await pending;
  expect(emu.member('u_bob')?.globalRole).toBe('engineer');
});
