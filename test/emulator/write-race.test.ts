// docs/growthbook-api.md §8 step 10: every write replaces the whole members array read at the start of the request, so
// concurrent writes to different members lose all but the last. The tests hold writes at the point
// between reading and writing back, and release them in the order they choose: no timing involved.
import { afterEach, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../helpers/test-emulator.js';
import { bob, seed, updateRole } from './helpers.js';

let emu: Emulator;
afterEach(() => emu.close());

/** Holds every write until `release()`; `arrived(n)` resolves once n writes are held. */
function writeGate() {
  const waiting: (() => void)[] = [];
  const watchers: { n: number; resolve: () => void }[] = [];
  return {
    hook: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        for (const w of watchers.filter((w) => waiting.length >= w.n)) w.resolve();
      }),
    arrived: (n: number) =>
      new Promise<void>((resolve) => {
        if (waiting.length >= n) resolve();
        else watchers.push({ n, resolve });
      }),
    release: () => {
      for (const go of waiting.splice(0)) go();
    },
  };
}

test('two concurrent updates to different members: one is lost', async () => {
  const gate = writeGate();
  emu = await startEmulator({ seed: seed(), beforeWrite: gate.hook });
  const both = Promise.all([
    updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } }),
    updateRole(emu.url, 'u_carol', { member: { role: 'readonly' } }),
  ]);
  await gate.arrived(2); // both have read the members array; neither has written it back
  gate.release();
  const [a, b] = await both;
  // Both callers are told they succeeded…
  expect([a.status, b.status]).toEqual([200, 200]);
  // …but only one change survives.
  const roles = [emu.member('u_alice')?.globalRole, emu.member('u_carol')?.globalRole];
  expect(roles.filter((r) => r === 'readonly')).toHaveLength(1);
});

test('the same updates made one after the other both stick', async () => {
  const gate = writeGate();
  emu = await startEmulator({ seed: seed(), beforeWrite: gate.hook });
  for (const id of ['u_alice', 'u_carol']) {
    const done = updateRole(emu.url, id, { member: { role: 'readonly' } });
    await gate.arrived(1);
    gate.release();
    await done;
  }
  expect([emu.member('u_alice')?.globalRole, emu.member('u_carol')?.globalRole]).toEqual([
    'readonly',
    'readonly',
  ]);
});

test('a write also undoes a state change made while it was in flight', async () => {
  const gate = writeGate();
  emu = await startEmulator({ seed: seed(), beforeWrite: gate.hook });
  const pending = updateRole(emu.url, 'u_alice', { member: { role: 'readonly' } });
  await gate.arrived(1);
  emu.setMember({ ...bob, globalRole: 'admin' });
  gate.release();
  await pending;
  expect(emu.member('u_bob')?.globalRole).toBe('engineer');
});
